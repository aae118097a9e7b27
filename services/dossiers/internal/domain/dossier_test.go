package domain

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/platform"
)

var testProcedure = Procedure{
	Code: "1.001193", Name: "Đăng ký khai sinh", Field: "Hộ tịch", Level: LevelCommune, LegalTime: 3, TimeUnit: UnitDays,
	Documents:  []RequiredDocument{{Name: "Tờ khai đăng ký khai sinh", Kind: Original, Count: 1}},
	Steps:      []Step{{Name: "Thẩm định", Share: 60}, {Name: "Trình ký", Share: 40}},
	Supplement: SupplementPauses,
}

// fataler is what newTestDossier needs of *testing.T and *rapid.T.
type fataler interface{ Fatal(args ...any) }

func newTestDossier(t fataler, p Procedure, now time.Time) (*Dossier, *WorkingDayCalendar) {
	cal := NewWorkingDayCalendar(DefaultOfficeHours, nil)
	in := Intake{Procedure: p, Applicant: Applicant{Name: "Trần Văn Nam", IDNumber: "034090001234", Phone: "0912345678", Address: "Đông Tân"},
		Documents: []ReceivedDocument{{Name: "Tờ khai đăng ký khai sinh", Kind: Original, Count: 1}}}
	if err := in.Validate(now); err != nil {
		t.Fatal(err)
	}
	d, err := NewDossier("d1", "UBXDT-261123-0001", in, platform.Actor{Subject: "u1", Tenant: "xa-dong-tan", Roles: []platform.Role{platform.RoleDossierReceive}}, cal, cal.Hours, now)
	if err != nil {
		t.Fatal(err)
	}
	return d, cal
}

func TestHappyPathOnTime(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, Vietnam) // Monday
	d, cal := newTestDossier(t, testProcedure, now)
	if want := time.Date(2026, 11, 26, 8, 0, 0, 0, Vietnam); !d.DueAt.Equal(want) {
		t.Fatalf("appointment %s, want %s (3 working days)", d.DueAt.In(Vietnam), want)
	}
	staff := platform.Actor{Subject: "u2", Tenant: "xa-dong-tan", Roles: []platform.Role{platform.RoleDossierReceive, platform.RoleDossierHandle, platform.RoleDossierApprove}}
	steps := []Command{{Action: ActAssign, Unit: "Tư pháp – Hộ tịch", Handler: "u2"}, {Action: ActCompleteStep},
		{Action: ActCompleteStep}, {Action: ActApprove}, {Action: ActAttachResult, Result: testResult()}, {Action: ActMarkResultReady}, {Action: ActReturn}}
	for i, c := range steps {
		now = now.Add(time.Hour)
		if _, err := d.Apply(staff, c, cal, now); err != nil {
			t.Fatalf("step %d %s: %v", i, c.Action, err)
		}
	}
	if d.State != StateReturned || !d.OnTime() || d.Version != 8 {
		t.Fatalf("state %s on time %v version %d", d.State, d.OnTime(), d.Version)
	}
	if got := d.ElapsedMinutes(cal, *d.ResolvedAt); got != 270 { // 08:00–11:30, lunch, result at 14:00
		t.Fatalf("elapsed %d working minutes, want 270", got)
	}
	if err := d.Rate(Satisfied, "nhanh", now); err != nil {
		t.Fatal(err)
	}
	if err := d.Rate(VerySatisfied, "", now); apperr.As(err) == nil || apperr.As(err).Code != "already_rated" {
		t.Fatalf("second rating: %v", err)
	}
}

func TestIllegalTransitionListsAllowedActions(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, Vietnam)
	d, cal := newTestDossier(t, testProcedure, now)
	_, err := d.Apply(platform.Actor{Tenant: "xa-dong-tan", Roles: []platform.Role{platform.RoleDossierApprove}}, Command{Action: ActApprove}, cal, now)
	e := apperr.As(err)
	if e == nil || e.Code != ErrIllegalTransition || e.Kind != apperr.KindInvalid {
		t.Fatalf("approve from received: %v", err)
	}
	allowed, _ := e.Details["allowed_actions"].([]Action)
	if !slices.Contains(allowed, ActAssign) || slices.Contains(allowed, ActApprove) {
		t.Fatalf("allowed actions %v", allowed)
	}
	if d.Version != 1 || d.State != StateReceived || len(d.History) != 1 {
		t.Fatal("a refused action changed the dossier")
	}
	// The wrong unit and the wrong role are forbidden, not illegal.
	if _, err := d.Apply(platform.Actor{Tenant: "xa-dong-la", Roles: []platform.Role{platform.RoleDossierReceive}}, Command{Action: ActAssign, Unit: "x"}, cal, now); !errors.Is(err, apperr.KindForbidden) {
		t.Fatalf("other commune: %v", err)
	}
	if _, err := d.Apply(platform.Actor{Tenant: "xa-dong-tan", Roles: []platform.Role{platform.RoleDossierHandle}}, Command{Action: ActRefuse, Note: "x"}, cal, now); !errors.Is(err, apperr.KindForbidden) {
		t.Fatalf("handler refusing: %v", err)
	}
}

func TestSupplementPausesOrRestartsTheClock(t *testing.T) {
	t.Parallel()
	mon := time.Date(2026, 11, 23, 8, 0, 0, 0, Vietnam)
	staff := platform.Actor{Tenant: "xa-dong-tan", Roles: []platform.Role{platform.RoleDossierReceive, platform.RoleDossierHandle}}
	for _, policy := range []SupplementPolicy{SupplementPauses, SupplementRestarts} {
		p := testProcedure
		p.Supplement = policy
		d, cal := newTestDossier(t, p, mon)
		must := func(c Command, at time.Time) {
			t.Helper()
			if _, err := d.Apply(staff, c, cal, at); err != nil {
				t.Fatalf("%s: %s: %v", policy, c.Action, err)
			}
		}
		must(Command{Action: ActAssign, Unit: "VP"}, mon)
		// One working day used, then two days waiting for the applicant.
		must(Command{Action: ActRequestSupplement, Note: "thiếu bản sao giấy chứng sinh"}, mon.Add(24*time.Hour))
		must(Command{Action: ActSupplement}, mon.Add(72*time.Hour)) // Thursday 08:00
		want := time.Date(2026, 11, 30, 8, 0, 0, 0, Vietnam)        // pause: 2 days left → Monday
		if policy == SupplementRestarts {
			want = time.Date(2026, 12, 1, 8, 0, 0, 0, Vietnam) // restart: 3 days from Thursday
		}
		if !d.DueAt.Equal(want) || d.State != StateAssigned {
			t.Errorf("%s: new appointment %s state %s, want %s assigned", policy, d.DueAt.In(Vietnam), d.State, want)
		}
	}
}

func TestExtendKeepsTheDossierLate(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, Vietnam)
	d, cal := newTestDossier(t, testProcedure, now)
	h := platform.Actor{Tenant: "xa-dong-tan", Roles: []platform.Role{platform.RoleDossierHandle, platform.RoleDossierApprove}}
	late := d.DueAt.Add(2 * time.Hour)
	if _, err := d.Apply(h, Command{Action: ActExtend, Note: "xin lỗi"}, cal, late); !errors.Is(err, apperr.KindInvalid) {
		t.Fatalf("extend without a date: %v", err)
	}
	newDue := d.DueAt.Add(72 * time.Hour)
	if _, err := d.Apply(h, Command{Action: ActExtend, Note: "cần xác minh thêm", NewDueAt: &newDue}, cal, late); err != nil {
		t.Fatal(err)
	}
	if !d.Late || !d.CurrentDue().Equal(newDue) || d.DueAt.Equal(newDue) {
		t.Fatal("extension must keep the original appointment and mark the dossier late")
	}
}

func TestTransferUpAndResultComesBack(t *testing.T) {
	t.Parallel()
	p := testProcedure
	p.Level = LevelDistrict
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, Vietnam)
	d, cal := newTestDossier(t, p, now)
	commune := platform.Actor{Tenant: "xa-dong-tan", Roles: []platform.Role{platform.RoleDossierReceive}}
	district := platform.Actor{Tenant: "huyen-dong-hung", Roles: []platform.Role{platform.RoleDossierReceive, platform.RoleDossierHandle, platform.RoleDossierApprove}}
	if _, err := d.Apply(commune, Command{Action: ActTransfer, ToTenant: "huyen-dong-hung"}, cal, now); err != nil {
		t.Fatal(err)
	}
	if d.State != StateReceived || d.Holder != "huyen-dong-hung" || d.Tenant != "xa-dong-tan" {
		t.Fatalf("after transfer: %s held by %s", d.State, d.Holder)
	}
	if _, err := d.Apply(commune, Command{Action: ActAssign, Unit: "x"}, cal, now); !errors.Is(err, apperr.KindForbidden) {
		t.Fatalf("the commune acted on a dossier it handed up: %v", err)
	}
	for _, c := range []Command{{Action: ActAssign, Unit: "Phòng Tư pháp"}, {Action: ActCompleteStep}, {Action: ActCompleteStep}, {Action: ActApprove}, {Action: ActAttachResult, Result: testResult()}, {Action: ActMarkResultReady}} {
		if _, err := d.Apply(district, c, cal, now); err != nil {
			t.Fatalf("%s: %v", c.Action, err)
		}
	}
	if d.Holder != "xa-dong-tan" {
		t.Fatal("the result must come back to the commune's desk")
	}
	if _, err := d.Apply(commune, Command{Action: ActReturn}, cal, now); err != nil {
		t.Fatal(err)
	}
	if s, err := Replay(d.History); err != nil || s != StateReturned {
		t.Fatalf("replay: %s %v", s, err)
	}
}

// TestStateMachineProperties drives random action sequences by random people and checks that
// the dossier never reaches an inconsistent state, that a refused action changes nothing, and
// that the recorded history always replays to the current state.
func TestStateMachineProperties(t *testing.T) {
	t.Parallel()
	roles := []platform.Role{platform.RoleDossierReceive, platform.RoleDossierHandle, platform.RoleDossierApprove, platform.RoleTenantAdmin}
	tenants := []string{"xa-dong-tan", "huyen-dong-hung", "xa-dong-la"}
	rapid.Check(t, func(rt *rapid.T) {
		p := testProcedure
		p.Level = rapid.SampledFrom([]Level{LevelCommune, LevelDistrict}).Draw(rt, "level")
		p.Supplement = rapid.SampledFrom([]SupplementPolicy{SupplementPauses, SupplementRestarts}).Draw(rt, "supplement")
		now := time.Date(2026, 11, 23, 8, 0, 0, 0, Vietnam)
		d, cal := newTestDossier(rt, p, now)
		n := rapid.IntRange(1, 40).Draw(rt, "n")
		for i := range n {
			now = now.Add(time.Duration(rapid.IntRange(1, 3000).Draw(rt, "minutes")) * time.Minute)
			a := platform.Actor{Subject: "u", Tenant: platform.Slug(rapid.SampledFrom(tenants).Draw(rt, "tenant")),
				Roles: rapid.SliceOfDistinct(rapid.SampledFrom(roles), rapid.ID).Draw(rt, "roles")}
			c := Command{Action: rapid.SampledFrom(Actions).Draw(rt, "action"), Note: rapid.SampledFrom([]string{"", "lý do"}).Draw(rt, "note"),
				Unit: "VP", ToTenant: "huyen-dong-hung"}
			if d.Holder == c.ToTenant { // a dossier the district holds goes up to the province
				c.ToTenant = "tinh-thai-binh"
			}
			if c.Action == ActAttachResult {
				c.Result = testResult()
			}
			if c.Action == ActExtend {
				due := d.CurrentDue().Add(48 * time.Hour)
				if now.After(due) {
					due = now.Add(time.Hour)
				}
				c.NewDueAt = &due
			}
			before := *d
			allowed := slices.Contains(d.AllowedActions(a), c.Action)
			_, err := d.Apply(a, c, cal, now)
			if err != nil {
				if d.Version != before.Version || d.State != before.State || len(d.History) != len(before.History) {
					rt.Fatalf("step %d: refused %s changed the dossier", i, c.Action)
				}
				if allowed && c.Note != "" {
					rt.Fatalf("step %d: %s was listed as allowed but refused: %v", i, c.Action, err)
				}
				continue
			}
			if !slices.Contains(States, d.State) {
				rt.Fatalf("unknown state %q", d.State)
			}
			if d.StepsDone > len(d.Steps) {
				rt.Fatalf("%d of %d steps done", d.StepsDone, len(d.Steps))
			}
			if (d.State == StateApproved || d.State == StateResultReady || d.State == StateReturned) && d.StepsDone != len(d.Steps) {
				rt.Fatalf("%s with %d of %d steps done", d.State, d.StepsDone, len(d.Steps))
			}
			if (d.ResolvedAt != nil) != (d.State == StateResultReady || d.State == StateReturned) {
				rt.Fatalf("resolved time %v in state %s", d.ResolvedAt, d.State)
			}
			if (d.State == StateResultReady || d.State == StateReturned) && d.Result == nil {
				rt.Fatalf("%s without a result document", d.State)
			}
			if d.State == StateSupplementRequested && d.PausedAt == nil {
				rt.Fatal("supplement requested without a pause time")
			}
			if d.Version != before.Version+1 {
				rt.Fatalf("version %d after %d", d.Version, before.Version)
			}
			if p.Level == LevelCommune && d.Holder != d.Tenant {
				rt.Fatal("a commune-level dossier left its commune")
			}
			got, err := Replay(d.History)
			if err != nil || got != d.State {
				rt.Fatalf("history replays to %s (%v), dossier is %s", got, err, d.State)
			}
		}
	})
}

func TestReplayRejectsForgedHistory(t *testing.T) {
	t.Parallel()
	h := []Transition{{Seq: 1, Action: ActReceive, To: StateReceived}, {Seq: 2, Action: ActApprove, From: StateReceived, To: StateApproved}}
	if _, err := Replay(h); err == nil {
		t.Fatal("approve from received must not replay")
	}
	h = []Transition{{Seq: 1, Action: ActReceive, To: StateReceived}, {Seq: 2, Action: ActAssign, From: StateInProcess, To: StateAssigned}}
	if _, err := Replay(h); err == nil {
		t.Fatal("a gap in the history must not replay")
	}
}

func TestIntakeValidation(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, Vietnam)
	in := Intake{Procedure: testProcedure, Applicant: Applicant{Name: " ", IDNumber: "12345", Phone: "abc", Organisation: "Công ty A"},
		Channel: "fax"}
	err := in.Validate(now)
	e := apperr.As(err)
	if e == nil {
		t.Fatal("want errors")
	}
	var fields []string
	for _, f := range e.Fields {
		fields = append(fields, f.Field)
	}
	for _, want := range []string{"applicant.name", "applicant.id_number", "applicant.phone", "applicant.address", "applicant.tax_code", "channel", "documents"} {
		if !slices.Contains(fields, want) {
			t.Errorf("no error for %s in %v", want, fields)
		}
	}
}

func TestProcedureValidate(t *testing.T) {
	t.Parallel()
	if err := testProcedure.Validate(); err != nil {
		t.Fatal(err)
	}
	bad := testProcedure
	bad.Steps = []Step{{Name: "a", Share: 50}}
	bad.Level = "village"
	e := apperr.As(bad.Validate())
	if e == nil || len(e.Fields) != 2 {
		t.Fatalf("want steps and level errors, got %v", e)
	}
	if got := testProcedure.StepMinutes(1000); got[0]+got[1] != 1000 || got[0] != 600 {
		t.Fatalf("step minutes %v", got)
	}
}

// testResult is a valid result document as the app hands it in once the file is stored.
func testResult() *Result {
	return &Result{Type: "Giấy chứng nhận", Summary: "Giấy khai sinh của Trần Thị Mai", Signer: "Nguyễn Văn Lãnh",
		Bucket: "tenant-xa-dong-tan", ObjectKey: "dossiers/d1/result-7.pdf", FileName: "giay-khai-sinh.pdf",
		ContentType: "application/pdf", Size: 2048, SHA256: strings.Repeat("ab", 32)}
}

// handledDossier is a dossier whose steps are all done by its handler: it waits for the leader.
func handledDossier(t *testing.T) (*Dossier, *WorkingDayCalendar, time.Time) {
	t.Helper()
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, Vietnam)
	d, cal := newTestDossier(t, testProcedure, now)
	handler := platform.Actor{Subject: "handler", Tenant: "xa-dong-tan", Roles: []platform.Role{platform.RoleDossierReceive, platform.RoleDossierHandle}}
	for _, c := range []Command{{Action: ActAssign, Unit: "Tư pháp", Handler: "handler"}, {Action: ActCompleteStep}, {Action: ActCompleteStep}} {
		now = now.Add(time.Hour)
		if _, err := d.Apply(handler, c, cal, now); err != nil {
			t.Fatalf("%s: %v", c.Action, err)
		}
	}
	return d, cal, now
}

var leader = platform.Actor{Subject: "leader", Name: "Nguyễn Văn Lãnh", Tenant: "xa-dong-tan", Roles: []platform.Role{platform.RoleDossierApprove}}

func TestWaitingForTheLeaderWhoMaySendItBack(t *testing.T) {
	t.Parallel()
	d, cal, now := handledDossier(t)
	if !d.WaitsForApproval() {
		t.Fatalf("every step done, state %s: should wait for the leader", d.State)
	}
	handler := platform.Actor{Subject: "handler", Tenant: "xa-dong-tan", Roles: []platform.Role{platform.RoleDossierHandle}}
	if slices.Contains(d.AllowedActions(handler), ActSendBack) || slices.Contains(d.AllowedActions(handler), ActApprove) {
		t.Fatal("the handler is offered the leader's actions")
	}
	if got := d.AllowedActions(leader); !slices.Contains(got, ActApprove) || !slices.Contains(got, ActSendBack) {
		t.Fatalf("the leader is offered %v, want approve and send_back", got)
	}
	if _, err := d.Apply(leader, Command{Action: ActSendBack, Note: "  "}, cal, now); apperr.KindOf(err) != apperr.KindInvalid {
		t.Fatalf("send back without a note: %v, want invalid", err)
	}
	tr, err := d.Apply(leader, Command{Action: ActSendBack, Note: "Sai tên mẹ trong dự thảo"}, cal, now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if d.State != StateInProcess || d.StepsDone != 1 || d.WaitsForApproval() || d.StepDueAt == nil || d.Handler != "handler" {
		t.Fatalf("after send back: state %s, %d steps done, waits %v, step due %v, handler %q", d.State, d.StepsDone, d.WaitsForApproval(), d.StepDueAt, d.Handler)
	}
	if tr.Step != 2 || tr.Note != "Sai tên mẹ trong dự thảo" || tr.From != StateInProcess || tr.To != StateInProcess {
		t.Fatalf("send back entry %+v: want step 2 to redo, with the note", tr)
	}
	if slices.Contains(d.AllowedActions(leader), ActSendBack) {
		t.Fatal("send back offered again before the handler redid the step")
	}
	if _, err := d.Apply(handler, Command{Action: ActCompleteStep}, cal, now.Add(2*time.Hour)); err != nil {
		t.Fatalf("redo the last step: %v", err)
	}
	if _, err := d.Apply(leader, Command{Action: ActApprove}, cal, now.Add(3*time.Hour)); err != nil {
		t.Fatalf("approve after the redo: %v", err)
	}
	if got, err := Replay(d.History); err != nil || got != StateApproved {
		t.Fatalf("history replays to %s (%v)", got, err)
	}
}

func TestResultReadyNeedsTheResultDocument(t *testing.T) {
	t.Parallel()
	d, cal, now := handledDossier(t)
	if _, err := d.Apply(leader, Command{Action: ActApprove}, cal, now); err != nil {
		t.Fatal(err)
	}
	if slices.Contains(d.AllowedActions(leader), ActMarkResultReady) {
		t.Fatal("result ready offered before any result is attached")
	}
	_, err := d.Apply(leader, Command{Action: ActMarkResultReady}, cal, now)
	if e := apperr.As(err); e == nil || e.Code != ErrIllegalTransition || !strings.Contains(e.Message, "văn bản kết quả") {
		t.Fatalf("result ready without a result: %v, want an illegal transition naming the result document", err)
	}
	bad := testResult()
	bad.Signer, bad.ContentType, bad.SHA256 = "", "text/html", "xyz"
	_, err = d.Apply(leader, Command{Action: ActAttachResult, Result: bad}, cal, now)
	e := apperr.As(err)
	if e == nil || e.Kind != apperr.KindInvalid || d.Result != nil {
		t.Fatalf("bad result: %v, result %v", err, d.Result)
	}
	fields := map[string]bool{}
	for _, f := range e.Fields {
		fields[f.Field] = true
	}
	if !fields["result_signer"] {
		t.Fatalf("bad result: fields %v should name result_signer", e.Fields)
	}
	tr, err := d.Apply(leader, Command{Action: ActAttachResult, Result: testResult()}, cal, now.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if d.Result == nil || d.Result.Seq != tr.Seq || d.Result.AttachedBy != "leader" || d.State != StateApproved || !strings.Contains(tr.Note, "Giấy khai sinh") {
		t.Fatalf("attached result %+v, entry %+v, state %s", d.Result, tr, d.State)
	}
	if _, err := d.Apply(leader, Command{Action: ActMarkResultReady}, cal, now.Add(2*time.Minute)); err != nil {
		t.Fatalf("result ready with a result: %v", err)
	}
}
