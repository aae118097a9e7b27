// Package adapters stores identity's data with gorm (SQLite or PostgreSQL), keeps the signing
// keys, hashes secrets and sends back-channel logout tokens. The app layer reaches it only
// through the interfaces it declares.
package adapters
