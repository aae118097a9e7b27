// Package domain holds the archives' vocabulary and rules: official documents (văn bản) with the
// metadata of Decree 30/2020/NĐ-CP appendix VI, the registers that number them, record files (hồ
// sơ) with their retention classes, the stored file versions and their fixity, and the states of
// an electronic exchange between units. It imports neither gin, gorm nor minio-go.
package domain
