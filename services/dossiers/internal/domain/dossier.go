package domain

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/platform"
)

// State is where a dossier is in its lifecycle (services/EVENTS.md lists the same names).
type State string

// The states of a dossier.
const (
	StateReceived            State = "received"
	StateRefused             State = "refused"
	StateAssigned            State = "assigned"
	StateInProcess           State = "in_process"
	StateSupplementRequested State = "supplement_requested"
	StateStopped             State = "stopped"
	StateWithdrawn           State = "withdrawn"
	StateApproved            State = "approved"
	StateResultReady         State = "result_ready"
	StateReturned            State = "returned"
	StateTransferred         State = "transferred"
)

// States lists every state.
var States = []State{StateReceived, StateRefused, StateAssigned, StateInProcess, StateSupplementRequested,
	StateStopped, StateWithdrawn, StateApproved, StateResultReady, StateReturned, StateTransferred}

// Final reports whether no action can leave s.
func (s State) Final() bool {
	return s == StateRefused || s == StateStopped || s == StateWithdrawn || s == StateReturned
}

// Active reports whether the processing clock may be running in s (for overdue detection).
func (s State) Active() bool {
	switch s {
	case StateReceived, StateAssigned, StateInProcess, StateApproved:
		return true
	}
	return false
}

// Action is something a person does to a dossier.
type Action string

// The actions. Receive is the intake itself and only ever the first entry of a history.
const (
	ActReceive           Action = "receive"
	ActRefuse            Action = "refuse"
	ActAssign            Action = "assign"
	ActCompleteStep      Action = "complete_step"
	ActRequestSupplement Action = "request_supplement"
	ActSupplement        Action = "supplement"
	ActStop              Action = "stop"
	ActWithdraw          Action = "withdraw"
	ActApprove           Action = "approve"
	ActMarkResultReady   Action = "mark_result_ready"
	ActReturn            Action = "return"
	ActTransfer          Action = "transfer"
	ActExtend            Action = "extend"
	// ActAttachResult records the result document (kết quả) the citizen will be handed.
	ActAttachResult Action = "attach_result"
	// ActSendBack is the leader's refusal to sign: the last step is to be redone.
	ActSendBack Action = "send_back"
)

// Actions lists every action a person can ask for after intake.
var Actions = []Action{ActRefuse, ActAssign, ActCompleteStep, ActRequestSupplement, ActSupplement, ActStop,
	ActWithdraw, ActApprove, ActSendBack, ActAttachResult, ActMarkResultReady, ActReturn, ActTransfer, ActExtend}

// rule says from which states an action may be taken and by which roles.
type rule struct {
	from  []State
	roles []platform.Role
}

// rules is the state machine. Reception receives, refuses, withdraws on request, takes in
// supplements, hands over to the parent unit and returns results; specialists handle steps and
// ask for supplements; leaders approve or send back to the handler. Handler or leader attach the
// result document before it is marked ready. Assignment is done by reception or a leader.
var rules = map[Action]rule{
	ActRefuse:            {[]State{StateReceived}, []platform.Role{platform.RoleDossierReceive}},
	ActAssign:            {[]State{StateReceived, StateAssigned}, []platform.Role{platform.RoleDossierReceive, platform.RoleDossierApprove}},
	ActCompleteStep:      {[]State{StateAssigned, StateInProcess}, []platform.Role{platform.RoleDossierHandle}},
	ActRequestSupplement: {[]State{StateReceived, StateAssigned, StateInProcess}, []platform.Role{platform.RoleDossierHandle, platform.RoleDossierReceive}},
	ActSupplement:        {[]State{StateSupplementRequested}, []platform.Role{platform.RoleDossierReceive}},
	ActStop:              {[]State{StateAssigned, StateInProcess, StateSupplementRequested}, []platform.Role{platform.RoleDossierHandle, platform.RoleDossierApprove}},
	ActWithdraw:          {[]State{StateReceived, StateAssigned, StateInProcess, StateSupplementRequested}, []platform.Role{platform.RoleDossierReceive}},
	ActApprove:           {[]State{StateInProcess}, []platform.Role{platform.RoleDossierApprove}},
	ActSendBack:          {[]State{StateInProcess}, []platform.Role{platform.RoleDossierApprove}},
	ActAttachResult:      {[]State{StateInProcess, StateApproved}, []platform.Role{platform.RoleDossierHandle, platform.RoleDossierApprove}},
	ActMarkResultReady:   {[]State{StateApproved}, []platform.Role{platform.RoleDossierHandle, platform.RoleDossierApprove}},
	ActReturn:            {[]State{StateResultReady}, []platform.Role{platform.RoleDossierReceive}},
	ActTransfer:          {[]State{StateReceived}, []platform.Role{platform.RoleDossierReceive}},
	ActExtend:            {[]State{StateReceived, StateAssigned, StateInProcess, StateSupplementRequested, StateApproved}, []platform.Role{platform.RoleDossierHandle, platform.RoleDossierApprove}},
}

// Applicant is who hands the dossier in.
type Applicant struct {
	Name         string `json:"name"`
	IDNumber     string `json:"id_number"`
	Phone        string `json:"phone"`
	Address      string `json:"address"`
	Organisation string `json:"organisation,omitempty"`
	TaxCode      string `json:"tax_code,omitempty"`
	Email        string `json:"email,omitempty"`
}

// Channel is how a dossier arrived.
type Channel string

// The channels.
const (
	ChannelDesk   Channel = "desk"
	ChannelOnline Channel = "online"
	ChannelPost   Channel = "post"
)

// ReceivedDocument is one document handed in, against the procedure's checklist.
type ReceivedDocument struct {
	Name  string   `json:"name"`
	Kind  CopyKind `json:"kind"`
	Count int      `json:"count"`
	// FileKey names the scanned file in the file store, when one was uploaded.
	FileKey string `json:"file_key,omitempty"`
}

// Rating is the citizen's verdict once the result is returned.
type Rating string

// The ratings.
const (
	VerySatisfied Rating = "very_satisfied"
	Satisfied     Rating = "satisfied"
	NotSatisfied  Rating = "not_satisfied"
)

// Transition is one recorded entry of a dossier's history.
type Transition struct {
	Seq int `json:"seq"`
	// Version is the dossier's version after this entry.
	Version int       `json:"version"`
	Action  Action    `json:"action"`
	From    State     `json:"from"`
	To      State     `json:"to"`
	Actor   string    `json:"actor"`
	Name    string    `json:"actor_name,omitempty"`
	Tenant  string    `json:"tenant"` // the unit that acted
	At      time.Time `json:"at"`
	Note    string    `json:"note,omitempty"`
	// Step is the 1-based step a complete_step finished (0 otherwise).
	Step int `json:"step,omitempty"`
	// Unit and Handler are set by assign; ToTenant by transfer; DueAt by extend.
	Unit     string     `json:"unit,omitempty"`
	Handler  string     `json:"handler,omitempty"`
	ToTenant string     `json:"to_tenant,omitempty"`
	DueAt    *time.Time `json:"due_at,omitempty"`
}

// Dossier is one application (hồ sơ) from receipt to returned result.
type Dossier struct {
	ID          string
	Tenant      string // the unit that received it; it keeps the dossier in its books
	Holder      string // the unit that may act on it now (differs after a transfer up)
	ReceiptCode string
	Version     int

	ProcedureCode, ProcedureName, Field string
	Level                               Level
	Steps                               []Step
	Supplement                          SupplementPolicy
	LegalMinutes                        int
	Fee                                 int64

	Applicant Applicant
	Channel   Channel
	Documents []ReceivedDocument

	State State
	// StepsDone counts the finished steps (the next one is StepsDone+1).
	StepsDone int
	// StepDueAt is when the current step must be finished.
	StepDueAt *time.Time
	Unit      string
	Handler   string
	// ResumeState is where a supplemented dossier goes back to.
	ResumeState State

	ReceivedAt time.Time
	// DueAt is the appointment given at receipt; only a supplement (which resets or pauses the
	// clock, so the applicant gets a new slip) moves it, never an extension.
	DueAt time.Time
	// ExtendedDueAt is the new appointment of form 04; the dossier still counts as late.
	ExtendedDueAt *time.Time
	// ClockStart is when the legal time began to run (receipt, or the supplement after a
	// restart); PausedAt and PausedMinutes account for pauses.
	ClockStart    time.Time
	PausedAt      *time.Time
	PausedMinutes int
	ResolvedAt    *time.Time
	ReturnedAt    *time.Time
	// Late is set once the dossier was found overdue or extended, and stays set.
	Late bool

	// Result is the result document in force (the last one attached), nil before one is.
	Result *Result

	Rating        Rating
	RatingComment string
	RatedAt       *time.Time

	History []Transition
}

// Result is the result document (kết quả giải quyết: a decision, certificate, licence...) the
// citizen is handed: what it is, who signed it, and the stored file with its fixity.
type Result struct {
	// Seq is the history entry that attached it.
	Seq         int
	Type        string // loại văn bản, e.g. "Quyết định", "Giấy chứng nhận"
	Summary     string // trích yếu
	Signer      string // người ký
	Bucket      string
	ObjectKey   string
	FileName    string
	ContentType string
	Size        int64
	SHA256      string // hex
	AttachedBy  string
	AttachedAt  time.Time
}

// ResultContentTypes are the files a result may be: a signed PDF or a scan of the paper.
var ResultContentTypes = []string{"application/pdf", "image/jpeg", "image/png"}

// MaxResultSize bounds one result file (a scanned multi-page certificate fits easily).
const MaxResultSize = 20 << 20

// MaxScanSize bounds the scan of one received document. A desk scans one paper at a time (an ID
// card, a certificate, a contract of a few dozen pages) at 200-300 dpi: a few hundred KB a page
// as PDF, so 20 MB holds the longest of them, as for a result, while keeping one upload over a
// commune's link to well under a minute.
const MaxScanSize = 20 << 20

// ValidateDescription checks what staff type about a result, before its file is stored.
func (r *Result) ValidateDescription() error {
	var errs apperr.FieldErrors
	r.Type, r.Summary, r.Signer = strings.TrimSpace(r.Type), strings.TrimSpace(r.Summary), strings.TrimSpace(r.Signer)
	if r.Type == "" || len([]rune(r.Type)) > 100 {
		errs.Add("result_type", "ghi loại văn bản kết quả (ví dụ: Quyết định, Giấy chứng nhận), tối đa 100 ký tự")
	}
	if r.Summary == "" || len([]rune(r.Summary)) > 1000 {
		errs.Add("result_summary", "ghi trích yếu của văn bản kết quả, tối đa 1000 ký tự")
	}
	if r.Signer == "" || len([]rune(r.Signer)) > 200 {
		errs.Add("result_signer", "ghi họ tên người ký văn bản kết quả, tối đa 200 ký tự")
	}
	return errs.Err()
}

// validate checks a result as attached: its description and its stored file.
func (r *Result) validate() error {
	if err := r.ValidateDescription(); err != nil {
		return err
	}
	var errs apperr.FieldErrors
	if r.ObjectKey == "" || r.Bucket == "" {
		errs.Add("result_file", "tệp kết quả chưa được lưu")
	}
	if strings.TrimSpace(r.FileName) == "" {
		errs.Add("result_file", "tệp kết quả phải có tên")
	}
	if !slices.Contains(ResultContentTypes, r.ContentType) {
		errs.Add("result_file", "tệp kết quả phải là PDF, JPEG hoặc PNG")
	}
	if r.Size <= 0 || r.Size > MaxResultSize {
		errs.Add("result_file", fmt.Sprintf("tệp kết quả phải khác rỗng và không quá %d MB", MaxResultSize>>20))
	}
	if len(r.SHA256) != 64 || strings.Trim(r.SHA256, "0123456789abcdef") != "" {
		errs.Add("result_file", "thiếu mã băm SHA-256 của tệp kết quả")
	}
	return errs.Err()
}

// Command is one requested action with its arguments.
type Command struct {
	Action   Action
	Note     string
	Unit     string // assign
	Handler  string // assign
	ToTenant string // transfer: the parent unit
	NewDueAt *time.Time
	Result   *Result // attach_result
}

// AllowedActions lists what actor may do to d now, in a stable order.
func (d *Dossier) AllowedActions(a platform.Actor) []Action {
	var out []Action
	for _, act := range Actions {
		if d.check(a, Command{Action: act}) == nil {
			out = append(out, act)
		}
	}
	return out
}

// Check returns why actor may not take act on d now (forbidden or illegal transition), or nil;
// the use cases call it before work that must not be done for nothing, such as storing a file.
func (d *Dossier) Check(a platform.Actor, act Action) error {
	return d.check(a, Command{Action: act})
}

// WaitsForApproval reports whether every handling step is done and the dossier waits for the
// leader to approve (sign) or send it back.
func (d *Dossier) WaitsForApproval() bool {
	return d.State == StateInProcess && d.StepsDone >= len(d.Steps)
}

// NextActions lists the actions the state allows to anyone, whatever their roles.
func (d *Dossier) NextActions() []Action {
	out := []Action{}
	for _, act := range Actions {
		if slices.Contains(rules[act].from, d.State) && d.precondition(act) == "" {
			out = append(out, act)
		}
	}
	return out
}

// precondition returns why act cannot be taken in the current state's details, or "".
func (d *Dossier) precondition(act Action) string {
	switch act {
	case ActCompleteStep:
		if d.StepsDone >= len(d.Steps) {
			return "every step is already done; the dossier waits for approval"
		}
	case ActApprove:
		if d.StepsDone < len(d.Steps) {
			return fmt.Sprintf("step %d of %d is not done yet", d.StepsDone+1, len(d.Steps))
		}
	case ActSendBack:
		if d.StepsDone < len(d.Steps) || len(d.Steps) == 0 {
			return "chỉ trả lại cho người xử lý khi hồ sơ đã xử lý xong các bước và đang chờ lãnh đạo phê duyệt"
		}
	case ActMarkResultReady:
		if d.Result == nil {
			return "chưa có văn bản kết quả: người xử lý hoặc lãnh đạo đính kèm kết quả (quyết định, giấy chứng nhận...) trước khi báo có kết quả"
		}
	case ActTransfer:
		if d.Level == LevelCommune {
			return "a commune-level procedure is decided by the commune itself"
		}
	}
	return ""
}

// ErrIllegalTransition is the code of a 422 for an action the state does not allow.
const ErrIllegalTransition = "illegal_transition"

func (d *Dossier) check(a platform.Actor, c Command) error {
	r, ok := rules[c.Action]
	if !ok {
		return apperr.Invalid("action", fmt.Sprintf("unknown action %q", c.Action))
	}
	if string(a.Tenant) != d.Holder {
		return apperr.Forbidden(fmt.Sprintf("dossier %s is held by %s; only that unit may act on it", d.ReceiptCode, d.Holder))
	}
	if !a.HasAny(r.roles...) {
		names := make([]string, len(r.roles))
		for i, role := range r.roles {
			names[i] = string(role)
		}
		return apperr.Forbidden(fmt.Sprintf("%s needs one of the roles %s", c.Action, strings.Join(names, ", "))).
			WithDetail("required_roles", r.roles)
	}
	reason := d.precondition(c.Action)
	if !slices.Contains(r.from, d.State) {
		reason = fmt.Sprintf("%s is not allowed while the dossier is %s", c.Action, d.State)
	}
	if reason != "" {
		return &apperr.Error{Kind: apperr.KindInvalid, Code: ErrIllegalTransition, Message: reason,
			Fields:  []apperr.FieldError{{Field: "action", Reason: reason}},
			Details: map[string]any{"state": d.State, "allowed_actions": d.NextActions()}}
	}
	return nil
}

// Clock reads the calendar to place deadlines; the app hands in the tenant's calendar.
type Clock interface {
	AddWorkingMinutes(from time.Time, n int) (time.Time, error)
	WorkingMinutesBetween(a, b time.Time) int
}

// Apply performs c for actor at now, or returns why not (forbidden, illegal transition,
// invalid argument) leaving d unchanged. On success it records the transition, bumps the
// version and returns the new history entry.
func (d *Dossier) Apply(a platform.Actor, c Command, cal Clock, now time.Time) (Transition, error) {
	if err := d.check(a, c); err != nil {
		return Transition{}, err
	}
	note := strings.TrimSpace(c.Note)
	needsReason := c.Action == ActRefuse || c.Action == ActRequestSupplement || c.Action == ActStop ||
		c.Action == ActWithdraw || c.Action == ActExtend
	if needsReason && note == "" {
		return Transition{}, apperr.Invalid("note", "give the reason: it is printed on the form the applicant receives")
	}
	if c.Action == ActSendBack && note == "" {
		return Transition{}, apperr.Invalid("note", "ghi rõ việc người xử lý cần làm lại: ý kiến này được hiển thị cho họ")
	}
	next := *d
	next.History = slices.Clone(d.History)
	t := Transition{Action: c.Action, From: d.State, Actor: a.Subject, Name: a.Name, Tenant: string(a.Tenant), At: now, Note: note}
	switch c.Action {
	case ActRefuse:
		next.State = StateRefused
	case ActAssign:
		if strings.TrimSpace(c.Unit) == "" && strings.TrimSpace(c.Handler) == "" {
			return Transition{}, apperr.Invalid("unit", "name the unit or the handler to assign to")
		}
		next.State, next.Unit, next.Handler = StateAssigned, strings.TrimSpace(c.Unit), strings.TrimSpace(c.Handler)
		t.Unit, t.Handler = next.Unit, next.Handler
		if err := next.planStep(cal, now); err != nil {
			return Transition{}, err
		}
	case ActCompleteStep:
		next.StepsDone++
		t.Step = next.StepsDone
		next.State = StateInProcess
		if err := next.planStep(cal, now); err != nil {
			return Transition{}, err
		}
	case ActRequestSupplement:
		next.ResumeState, next.State = d.State, StateSupplementRequested
		paused := now
		next.PausedAt = &paused
		next.StepDueAt = nil
	case ActSupplement:
		next.State, next.ResumeState = d.ResumeState, ""
		if err := next.resumeClock(cal, now); err != nil {
			return Transition{}, err
		}
	case ActStop:
		next.State, next.StepDueAt = StateStopped, nil
	case ActWithdraw:
		next.State, next.StepDueAt = StateWithdrawn, nil
	case ActApprove:
		next.State, next.StepDueAt = StateApproved, nil
	case ActSendBack:
		// The last step is undone and planned again from now; the handler stays the same.
		next.StepsDone--
		t.Step = next.StepsDone + 1
		if err := next.planStep(cal, now); err != nil {
			return Transition{}, err
		}
	case ActAttachResult:
		if c.Result == nil {
			return Transition{}, apperr.Invalid("result_file", "đính kèm tệp văn bản kết quả")
		}
		r := *c.Result
		if err := r.validate(); err != nil {
			return Transition{}, err
		}
		r.Seq, r.AttachedBy, r.AttachedAt = len(d.History)+1, a.Subject, now
		next.Result = &r
		t.Note = r.Type + ": " + r.Summary
	case ActMarkResultReady:
		next.State = StateResultReady
		resolved := now
		next.ResolvedAt = &resolved
		// A dossier handed up comes back to the desk that received it, which returns it.
		next.Holder = d.Tenant
	case ActReturn:
		next.State = StateReturned
		returned := now
		next.ReturnedAt = &returned
	case ActTransfer:
		if c.ToTenant == "" || c.ToTenant == d.Holder {
			return Transition{}, apperr.Invalid("to_tenant", "name the unit above this one")
		}
		next.State, next.Holder, next.Unit, next.Handler = StateTransferred, c.ToTenant, "", ""
		t.ToTenant = c.ToTenant
	case ActExtend:
		if c.NewDueAt == nil || !c.NewDueAt.After(next.currentDue()) || !c.NewDueAt.After(now) {
			return Transition{}, apperr.Invalid("new_due_at", "the new appointment must be later than the current one and than now")
		}
		due := c.NewDueAt.UTC()
		next.ExtendedDueAt, next.Late = &due, true
		t.DueAt = &due
	}
	t.To = next.State
	t.Seq = len(next.History) + 1
	next.History = append(next.History, t)
	if c.Action == ActTransfer {
		// The parent unit receives it at once: the history shows both hand-over and receipt.
		next.State = StateReceived
		next.History = append(next.History, Transition{Seq: t.Seq + 1, Action: ActReceive, From: StateTransferred,
			To: StateReceived, Actor: a.Subject, Name: a.Name, Tenant: c.ToTenant, At: now, Note: "liên thông"})
	}
	next.Version++
	for i := t.Seq - 1; i < len(next.History); i++ {
		next.History[i].Version = next.Version
	}
	t.Version = next.Version
	*d = next
	return t, nil
}

// currentDue is the appointment in force: the extended one if any.
func (d *Dossier) currentDue() time.Time {
	if d.ExtendedDueAt != nil {
		return *d.ExtendedDueAt
	}
	return d.DueAt
}

// CurrentDue is the appointment in force: the extended one if any.
func (d *Dossier) CurrentDue() time.Time { return d.currentDue() }

// planStep sets the due time of the next step from its share of the legal time.
func (d *Dossier) planStep(cal Clock, now time.Time) error {
	if d.StepsDone >= len(d.Steps) {
		d.StepDueAt = nil
		return nil
	}
	share := Procedure{Steps: d.Steps}.StepMinutes(d.LegalMinutes)[d.StepsDone]
	due, err := cal.AddWorkingMinutes(now, share)
	if err != nil {
		return err
	}
	due = due.UTC()
	d.StepDueAt = &due
	return nil
}

// resumeClock restarts or resumes the legal time after a supplement and gives the applicant a
// new appointment accordingly.
func (d *Dossier) resumeClock(cal Clock, now time.Time) error {
	var (
		due time.Time
		err error
	)
	if d.Supplement == SupplementRestarts {
		d.ClockStart, d.PausedMinutes = now, 0
		due, err = cal.AddWorkingMinutes(now, d.LegalMinutes)
	} else {
		if d.PausedAt != nil {
			d.PausedMinutes += cal.WorkingMinutesBetween(*d.PausedAt, now)
		}
		used := cal.WorkingMinutesBetween(d.ClockStart, now) - d.PausedMinutes
		due, err = cal.AddWorkingMinutes(now, max(d.LegalMinutes-used, 0))
	}
	if err != nil {
		return err
	}
	d.PausedAt, d.DueAt = nil, due.UTC()
	if d.State == StateAssigned || d.State == StateInProcess {
		return d.planStep(cal, now)
	}
	return nil
}

// ElapsedMinutes is the working time the dossier took from its clock start to until, pauses
// excluded.
func (d *Dossier) ElapsedMinutes(cal Clock, until time.Time) int {
	return max(cal.WorkingMinutesBetween(d.ClockStart, until)-d.PausedMinutes, 0)
}

// OnTime reports whether the result was ready by the appointment (an extension does not help).
func (d *Dossier) OnTime() bool {
	return d.ResolvedAt != nil && !d.ResolvedAt.After(d.DueAt) && !d.Late
}

// Rate records the applicant's rating, once, after the result was returned.
func (d *Dossier) Rate(r Rating, comment string, now time.Time) error {
	switch r {
	case VerySatisfied, Satisfied, NotSatisfied:
	default:
		return apperr.Invalid("rating", "must be very_satisfied, satisfied or not_satisfied")
	}
	if d.State != StateReturned {
		return apperr.Conflict("not_returned", "a dossier can be rated once its result has been returned")
	}
	if d.Rating != "" {
		return apperr.Conflict("already_rated", "this dossier has already been rated")
	}
	if len([]rune(comment)) > 1000 {
		return apperr.Invalid("comment", "must be at most 1000 characters")
	}
	d.Rating, d.RatingComment = r, strings.TrimSpace(comment)
	rated := now
	d.RatedAt = &rated
	d.Version++
	return nil
}

// ChangesSince lists the history entries after version v: what a 409 tells the loser.
func (d *Dossier) ChangesSince(v int) []Transition {
	var out []Transition
	for _, t := range d.History {
		if t.Version > v {
			out = append(out, t)
		}
	}
	return out
}

// VersionConflict is the 409 for an action based on version v of d when d has moved on; it
// names who changed what since.
func VersionConflict(d *Dossier, v int) error {
	changes := d.ChangesSince(v)
	names := make([]string, 0, len(changes))
	list := make([]map[string]any, 0, len(changes))
	for _, c := range changes {
		who := c.Name
		if who == "" {
			who = c.Actor
		}
		names = append(names, fmt.Sprintf("%s (%s)", c.Action, who))
		list = append(list, map[string]any{"version": c.Version, "action": c.Action, "state": c.To, "actor": c.Actor,
			"actor_name": c.Name, "at": c.At.UTC()})
	}
	msg := fmt.Sprintf("dossier %s was changed by someone else (version %d → %d: %s); reload it and try again",
		d.ReceiptCode, v, d.Version, strings.Join(names, ", "))
	return apperr.Conflict("dossier_version_conflict", msg).
		WithDetail("your_version", v).WithDetail("current_version", d.Version).
		WithDetail("current_state", d.State).WithDetail("changes", list)
}

// Replay folds a history from the intake and returns the state it leads to, or an error
// naming the first entry that does not follow from the one before: the history is the
// dossier's audit trail and must explain its current state.
func Replay(h []Transition) (State, error) {
	if len(h) == 0 || h[0].Action != ActReceive || h[0].To != StateReceived {
		return "", fmt.Errorf("history must start with the receipt")
	}
	state := h[0].To
	for i, t := range h[1:] {
		if t.From != state {
			return "", fmt.Errorf("entry %d starts from %s but the dossier was %s", i+2, t.From, state)
		}
		if t.Action == ActReceive {
			if state != StateTransferred {
				return "", fmt.Errorf("entry %d receives a dossier that was not handed over", i+2)
			}
		} else if r, ok := rules[t.Action]; !ok || !slices.Contains(r.from, state) {
			return "", fmt.Errorf("entry %d: %s is not allowed from %s", i+2, t.Action, state)
		}
		if t.Seq != i+2 {
			return "", fmt.Errorf("entry %d has sequence number %d", i+2, t.Seq)
		}
		state = t.To
	}
	return state, nil
}

// Intake is what the desk records when it receives a dossier.
type Intake struct {
	Procedure Procedure
	Applicant Applicant
	Channel   Channel
	Documents []ReceivedDocument
	Note      string
}

// Validate checks the applicant, channel and documents against the procedure's checklist.
func (in *Intake) Validate(now time.Time) error {
	var errs apperr.FieldErrors
	a := &in.Applicant
	a.Name = strings.TrimSpace(a.Name)
	if a.Name == "" || len([]rune(a.Name)) > 200 {
		errs.Add("applicant.name", "họ tên là bắt buộc (tối đa 200 ký tự)")
	}
	if _, err := ParseCCCD(a.IDNumber, now); err != nil {
		errs.Add("applicant.id_number", err.Error())
	} else {
		a.IDNumber = strings.TrimSpace(a.IDNumber)
	}
	if p, err := NormalizePhone(a.Phone); err != nil {
		errs.Add("applicant.phone", err.Error())
	} else {
		a.Phone = p
	}
	a.Address = strings.TrimSpace(a.Address)
	if a.Address == "" {
		errs.Add("applicant.address", "địa chỉ là bắt buộc")
	}
	if a.TaxCode != "" {
		if err := ValidTaxCode(a.TaxCode); err != nil {
			errs.Add("applicant.tax_code", err.Error())
		}
	}
	if a.Organisation != "" && a.TaxCode == "" {
		errs.Add("applicant.tax_code", "tổ chức phải có mã số thuế")
	}
	switch in.Channel {
	case ChannelDesk, ChannelOnline, ChannelPost:
	case "":
		in.Channel = ChannelDesk
	default:
		errs.Add("channel", "must be desk, online or post")
	}
	for i, doc := range in.Documents {
		if strings.TrimSpace(doc.Name) == "" {
			errs.Add(fmt.Sprintf("documents[%d].name", i), "is required")
		}
		if doc.Kind != Original && doc.Kind != Copy {
			errs.Add(fmt.Sprintf("documents[%d].kind", i), "must be original or copy")
		}
		if doc.Count < 1 {
			errs.Add(fmt.Sprintf("documents[%d].count", i), "must be at least 1")
		}
	}
	// Every required document must be there; a dossier missing one is not received but
	// refused or sent home with form 02, so intake refuses to record it.
	for _, req := range in.Procedure.Documents {
		if !slices.ContainsFunc(in.Documents, func(d ReceivedDocument) bool { return d.Name == req.Name && d.Count >= req.Count }) {
			errs.Add("documents", fmt.Sprintf("thiếu giấy tờ: %s (%d %s)", req.Name, req.Count, kindVI(req.Kind)))
		}
	}
	return errs.Err()
}

func kindVI(k CopyKind) string {
	if k == Original {
		return "bản chính"
	}
	return "bản sao"
}

// NewDossier records the receipt of in as dossier id with receipt code, at now, by actor, and
// gives the appointment from the tenant's calendar.
func NewDossier(id, code string, in Intake, a platform.Actor, cal Clock, hours OfficeHours, now time.Time) (*Dossier, error) {
	p := in.Procedure
	legal := p.LegalMinutes(hours)
	due, err := cal.AddWorkingMinutes(now, legal)
	if err != nil {
		return nil, err
	}
	d := &Dossier{
		ID: id, Tenant: string(a.Tenant), Holder: string(a.Tenant), ReceiptCode: code, Version: 1,
		ProcedureCode: p.Code, ProcedureName: p.Name, Field: p.Field, Level: p.Level, Steps: slices.Clone(p.Steps),
		Supplement: p.Supplement, LegalMinutes: legal, Fee: p.Fee,
		Applicant: in.Applicant, Channel: in.Channel, Documents: slices.Clone(in.Documents),
		State: StateReceived, ReceivedAt: now, DueAt: due.UTC(), ClockStart: now,
		History: []Transition{{Seq: 1, Version: 1, Action: ActReceive, To: StateReceived, Actor: a.Subject, Name: a.Name,
			Tenant: string(a.Tenant), At: now, Note: strings.TrimSpace(in.Note)}},
	}
	return d, nil
}
