package domain

import "time"

// DocumentQuery filters a register listing or a search. Zero fields do not filter.
type DocumentQuery struct {
	Direction Direction
	Year      int
	Type      string
	RecordID  string
	Text      string // full text over subject, notation, organ (diacritics optional)
	From, To  *time.Time
	Limit     int
	Offset    int
	// Visible, when set, keeps only what a person may read (VisibilityOf): documents they may
	// not read are left out as if they did not exist. Every query on a person's behalf sets it.
	Visible *Visibility
}

// RecordQuery filters record files.
type RecordQuery struct {
	Text   string
	Limit  int
	Offset int
}

// PendingUpload is an object whose upload started but whose row was never committed.
type PendingUpload struct {
	ID        string
	Tenant    string
	Bucket    string
	Key       string
	StartedAt time.Time
}
