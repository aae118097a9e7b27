package domain

import (
	"strings"
	"time"
	"unicode/utf8"

	"egov.vn/platform/libs/apperr"
)

// Assignment is one period of a person's employment: a position (chức vụ) with a civil-service
// rank (ngạch) and step (bậc) in a unit over [From, To). To is nil while it is the active one.
// Rows are never deleted or rewritten except to close them.
type Assignment struct {
	ID       string
	StaffID  string
	UnitID   string
	Position string // chức vụ, e.g. "Chủ tịch", "Công chức Văn phòng – Thống kê"
	Rank     string // ngạch: code of the civil-service rank, e.g. "01.003" (chuyên viên)
	Step     int    // bậc lương, 1–12; 0 when the position has no salary scale (contract)
	From     time.Time
	To       *time.Time
	Change   Change // hired or moved: how this assignment began
	// EndReason says why the person left; set on the last assignment when they leave.
	EndReason string
}

// ActiveOn reports whether the assignment holds on day d.
func (a Assignment) ActiveOn(d time.Time) bool {
	return !a.From.After(d) && (a.To == nil || a.To.After(d))
}

// Validate checks the fields of a new assignment.
func (a Assignment) Validate() error {
	var errs apperr.FieldErrors
	if a.UnitID == "" {
		errs.Add("unit_id", "đơn vị công tác là bắt buộc")
	}
	pos := strings.TrimSpace(a.Position)
	if pos == "" {
		errs.Add("position", "chức vụ là bắt buộc")
	} else if utf8.RuneCountInString(pos) > 150 {
		errs.Add("position", "chức vụ dài quá 150 ký tự")
	}
	if utf8.RuneCountInString(a.Rank) > 30 {
		errs.Add("rank", "mã ngạch dài quá 30 ký tự")
	}
	if a.Step < 0 || a.Step > 12 {
		errs.Add("step", "bậc lương từ 1 đến 12 (0 nếu không xếp bậc)")
	}
	if a.From.IsZero() {
		errs.Add("effective_on", "ngày hiệu lực là bắt buộc")
	}
	return errs.Err()
}

// Employment is a person's assignments, oldest first: the aggregate that keeps "exactly one
// active assignment" and "history is never deleted".
type Employment struct {
	Assignments []Assignment
}

// Current returns the active assignment (To is nil), if any.
func (e Employment) Current() (Assignment, bool) {
	for _, a := range e.Assignments {
		if a.To == nil {
			return a, true
		}
	}
	return Assignment{}, false
}

// AsOf returns the assignment that held on day d: that day's truth, whatever happened since.
func (e Employment) AsOf(d time.Time) (Assignment, bool) {
	for _, a := range e.Assignments {
		if a.ActiveOn(d) {
			return a, true
		}
	}
	return Assignment{}, false
}

func (e Employment) last() (Assignment, bool) {
	if len(e.Assignments) == 0 {
		return Assignment{}, false
	}
	return e.Assignments[len(e.Assignments)-1], true
}

// Hire starts the first assignment, or rehires someone who left.
func (e Employment) Hire(a Assignment) (Assignment, error) {
	if err := a.Validate(); err != nil {
		return Assignment{}, err
	}
	if _, active := e.Current(); active {
		return Assignment{}, apperr.Conflict("already_employed", "người này đang có quá trình công tác hiệu lực; dùng điều động thay vì tuyển dụng")
	}
	if last, ok := e.last(); ok && last.To != nil && a.From.Before(*last.To) {
		return Assignment{}, apperr.Invalid("effective_on", "ngày tuyển dụng lại phải từ ngày nghỉ việc trở đi")
	}
	a.Change = ChangeHired
	a.To, a.EndReason = nil, ""
	return a, nil
}

// Move ends the active assignment on next.From and returns it closed with next to store: a
// transfer, promotion or new rank. next must start after the current one began, so that every
// day belongs to exactly one assignment.
func (e Employment) Move(next Assignment) (closed, opened Assignment, err error) {
	if err := next.Validate(); err != nil {
		return Assignment{}, Assignment{}, err
	}
	cur, ok := e.Current()
	if !ok {
		return Assignment{}, Assignment{}, apperr.Conflict("not_employed", "người này không còn công tác; tuyển dụng lại trước khi điều động")
	}
	if !next.From.After(cur.From) {
		return Assignment{}, Assignment{}, apperr.Invalid("effective_on", "ngày hiệu lực phải sau ngày bắt đầu của quá trình công tác hiện tại ("+SpokenDate(cur.From)+")")
	}
	if cur.UnitID == next.UnitID && cur.Position == next.Position && cur.Rank == next.Rank && cur.Step == next.Step {
		return Assignment{}, Assignment{}, apperr.Conflict("nothing_changed", "đơn vị, chức vụ, ngạch và bậc giống quá trình hiện tại")
	}
	end := next.From
	cur.To = &end
	next.StaffID = cur.StaffID
	next.Change = ChangeMoved
	next.To, next.EndReason = nil, ""
	return cur, next, nil
}

// Leave ends the active assignment on day d (the first day the person no longer works) for a
// reason: retirement, resignation, transfer out, dismissal. Without a reason it is refused.
func (e Employment) Leave(d time.Time, reason string) (Assignment, error) {
	reason = strings.TrimSpace(reason)
	var errs apperr.FieldErrors
	if reason == "" {
		errs.Add("reason", "cần ghi lý do thôi việc (nghỉ hưu, chuyển công tác, thôi việc…)")
	} else if utf8.RuneCountInString(reason) > 500 {
		errs.Add("reason", "lý do dài quá 500 ký tự")
	}
	if d.IsZero() {
		errs.Add("effective_on", "ngày hiệu lực là bắt buộc")
	}
	if err := errs.Err(); err != nil {
		return Assignment{}, err
	}
	cur, ok := e.Current()
	if !ok {
		return Assignment{}, apperr.Conflict("not_employed", "người này đã nghỉ việc")
	}
	if !d.After(cur.From) {
		return Assignment{}, apperr.Invalid("effective_on", "ngày nghỉ việc phải sau ngày bắt đầu của quá trình công tác hiện tại ("+SpokenDate(cur.From)+")")
	}
	cur.To = &d
	cur.EndReason = reason
	return cur, nil
}
