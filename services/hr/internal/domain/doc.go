// Package domain owns HR's vocabulary and rules: organisation units as an effective-dated tree per
// tenant, staff (cán bộ, công chức, viên chức, hợp đồng) with a validated CCCD, effective-dated
// employment with exactly one active assignment, qualifications graded by code lists whose levels
// carry a rank, and who may see which personal fields. It imports neither gin nor gorm.
package domain
