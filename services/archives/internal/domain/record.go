package domain

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"egov.vn/platform/libs/apperr"
)

// RetentionClass is how long a record file must be kept (thời hạn bảo quản): permanently
// (vĩnh viễn) or a number of years counted from the end of the work it documents.
type RetentionClass struct {
	Permanent bool
	Years     int
}

// Longest fixed period in the retention schedules of Circular 10/2022/TT-BNV is 70 years; a
// longer one is really "permanent".
const maxRetentionYears = 70

// PermanentLock is how far ahead a permanent record's object lock reaches. Object lock has no
// "forever", so permanence is this long lock plus a legal hold, which has no end date.
const PermanentLock = 100

// String is the Vietnamese wording, "Vĩnh viễn" or "20 năm".
func (r RetentionClass) String() string {
	if r.Permanent {
		return "Vĩnh viễn"
	}
	return fmt.Sprintf("%d năm", r.Years)
}

// Validate reports a class that is neither permanent nor a period of 1 to 70 years.
func (r RetentionClass) Validate(errs *apperr.FieldErrors, field string) {
	switch {
	case r.Permanent && r.Years != 0:
		errs.Add(field, "Thời hạn bảo quản là vĩnh viễn hoặc một số năm, không thể cả hai")
	case !r.Permanent && (r.Years < 1 || r.Years > maxRetentionYears):
		errs.Add(field, "Thời hạn bảo quản phải là vĩnh viễn hoặc từ 1 đến 70 năm")
	}
}

// RetainUntil is the object-lock date for files of a record whose work ended (or, while it is
// open, stands) at base: the period runs from 1 January of the year after, as the archive law
// counts it, so every file of the year expires together.
func (r RetentionClass) RetainUntil(base time.Time) time.Time {
	start := time.Date(base.In(Vietnam).Year()+1, time.January, 1, 0, 0, 0, 0, time.UTC)
	if r.Permanent {
		return start.AddDate(PermanentLock, 0, 0)
	}
	return start.AddDate(r.Years, 0, 0)
}

// RecordFile is a record file (hồ sơ): the documents of one piece of work, kept together under
// one retention class.
type RecordFile struct {
	ID        string
	Tenant    string
	FileCode  string // số, ký hiệu hồ sơ, "01.TCCB.2026"
	Title     string // tiêu đề hồ sơ
	Retention RetentionClass
	Rights    Rights
	Creator   string // người lập hồ sơ
	StartDate time.Time
	EndDate   *time.Time
	CreatedAt time.Time
}

var fileCodeRE = regexp.MustCompile(`^[\p{L}\p{N}]+([.\-/][\p{L}\p{N}]+)*$`)

// SearchText is what full-text search matches for a record file.
func (r RecordFile) SearchText() string { return SearchWords(r.FileCode + " " + r.Title) }

// RetainUntil is the lock date of the record's files: from its end date, or from today while it
// is still open (extended when it closes; a lock is only ever lengthened).
func (r RecordFile) RetainUntil(now time.Time) time.Time {
	if r.EndDate != nil {
		return r.Retention.RetainUntil(*r.EndDate)
	}
	return r.Retention.RetainUntil(now)
}

// Validate checks every field, naming each at fault.
func (r *RecordFile) Validate() error {
	var errs apperr.FieldErrors
	r.FileCode, r.Title, r.Creator = strings.TrimSpace(r.FileCode), strings.TrimSpace(r.Title), strings.TrimSpace(r.Creator)
	if r.Rights == "" {
		r.Rights = RightsPublic
	}
	switch {
	case r.FileCode == "":
		errs.Add("file_code", "Số, ký hiệu hồ sơ không được để trống")
	case len([]rune(r.FileCode)) > 50 || !fileCodeRE.MatchString(r.FileCode):
		errs.Add("file_code", "Số, ký hiệu hồ sơ gồm chữ và số ngăn bởi dấu chấm, gạch nối hoặc gạch chéo, tối đa 50 ký tự (ví dụ 01.TCCB.2026)")
	}
	text(&errs, "title", "Tiêu đề hồ sơ", r.Title, maxSubject, true)
	r.Retention.Validate(&errs, "retention")
	if !r.Rights.Valid() {
		errs.Add("rights", "Chế độ sử dụng phải là cong-khai hoặc han-che")
	}
	text(&errs, "creator", "Người lập hồ sơ", r.Creator, maxName, true)
	if r.StartDate.IsZero() {
		errs.Add("start_date", "Ngày bắt đầu không được để trống")
	}
	if r.EndDate != nil && !r.StartDate.IsZero() && CivilDay(*r.EndDate).Before(CivilDay(r.StartDate)) {
		errs.Add("end_date", "Ngày kết thúc không được trước ngày bắt đầu")
	}
	return errs.Err()
}
