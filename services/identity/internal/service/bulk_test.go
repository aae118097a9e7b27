package service_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"gorm.io/gorm"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/sheet"
	"egov.vn/platform/libs/store/storetest"
	"egov.vn/platform/services/identity/internal/adapters"
	"egov.vn/platform/services/identity/internal/app"
	"egov.vn/platform/services/identity/internal/domain"
)

const importHeader = "ten_dang_nhap,ho_ten,email,vai_tro,don_vi,ma_can_bo\n"

// accountsFile is a CSV accounts file: the header, then lines.
func accountsFile(lines ...string) *strings.Reader {
	return strings.NewReader(importHeader + strings.Join(lines, "\n") + "\n")
}

// countUsers counts the accounts whose username starts with prefix.
func countUsers(t *testing.T, db *gorm.DB, prefix string) int64 {
	t.Helper()
	var n int64
	if err := db.Table("users").Where("username LIKE ?", prefix+"%").Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

type problemKey struct {
	Line   int
	Column string
	Code   string
}

func problems(rep app.AccountImport) map[problemKey]bool {
	out := map[problemKey]bool{}
	for _, p := range rep.Problems {
		out[problemKey{p.Line, p.Column, p.Code}] = true
	}
	return out
}

// The dry run lists every problem of the file by line and column, in Vietnamese, and creates
// nothing; a commit of the same file is refused whole.
func TestBulkImportDryRunListsEveryProblemByLine(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := startIdentity(t, db)
		tr := h.seedTree(t)
		ctx := context.Background()
		admin := tr.admins["xa-dong-tan"]
		file := func() *strings.Reader {
			return accountsFile(
				"lan.nt,Nguyễn Thị Lan,lan.nt@dongtan.gov.vn,dossier.receive,xa-dong-tan,CB-0001", // line 2: fine
				"Lan NT,Trần Văn Lan,,dossier.receive,xa-dong-tan,",                               // 3: bad username
				"lan.nt,Lê Thị Lan,,dossier.handle,xa-dong-tan,",                                  // 4: duplicate of line 2
				"mc.xa-dong-tan,Một cửa,,dossier.receive,xa-dong-tan,",                            // 5: taken
				"binh.tv,,,dossier.receive,xa-dong-tan,",                                          // 6: empty name
				"cuong.lv,Lê Văn Cường,,thu.ky,xa-dong-tan,",                                      // 7: unknown role
				"dung.pt,Phạm Thị Dung,,platform.admin;dossier.receive,xa-dong-tan,",              // 8: not grantable
				"em.hv,Hoàng Văn Em,,dossier.receive,xa-dong-hoa,",                                // 9: sibling commune
				"giang.nt,Ngô Thị Giang,,dossier.receive,xa-khong-co,",                            // 10: unknown unit
				"hai.dv,Đỗ Văn Hải,,tenant.admin,huyen-dong-hung,",                                // 11: the parent
				"khanh.bt,Bùi Thị Khánh,khanh@,dossier.receive,xa-dong-tan,CB-0001",               // 12: bad email, staff id of line 2
			)
		}
		rep, err := h.ID.App.ImportAccounts(ctx, admin, sheet.CSV, file(), false)
		if err != nil {
			t.Fatal(err)
		}
		want := []problemKey{
			{3, app.ColUsername, app.ImportBadUsername}, {4, app.ColUsername, app.ImportDuplicate}, {5, app.ColUsername, app.ImportTaken},
			{6, app.ColName, app.ImportEmptyName}, {7, app.ColRoles, app.ImportUnknownRole}, {8, app.ColRoles, app.ImportRoleForbidden},
			{9, app.ColUnit, app.ImportOutOfReach}, {10, app.ColUnit, app.ImportUnknownUnit}, {11, app.ColUnit, app.ImportOutOfReach},
			{12, app.ColEmail, app.ImportBadEmail}, {12, app.ColStaffID, app.ImportDuplicateStaff},
		}
		got := problems(rep)
		for _, w := range want {
			if !got[w] {
				t.Errorf("the dry run does not report %+v; it reports %+v", w, rep.Problems)
			}
		}
		if len(rep.Problems) != len(want) {
			t.Errorf("%d problems, want %d: %+v", len(rep.Problems), len(want), rep.Problems)
		}
		if rep.Rows != 11 || rep.Committed {
			t.Errorf("rows %d committed %t", rep.Rows, rep.Committed)
		}
		for _, p := range rep.Problems {
			if r := p.Reason(); r == "" || strings.Contains(r, "%!") {
				t.Errorf("line %d: reason %q", p.Line, r)
			}
		}
		if r := rep.Problems[1].Reason(); !strings.Contains(r, "dòng 2") {
			t.Errorf("a duplicate names the other line: %q", r)
		}
		if n := countUsers(t, db, "lan.nt"); n != 0 {
			t.Fatalf("a dry run created %d accounts", n)
		}
		rep, err = h.ID.App.ImportAccounts(ctx, admin, sheet.CSV, file(), true)
		if conflictCodeOf(err) != "import_rejected" || rep.Committed || len(rep.Problems) != len(want) {
			t.Fatalf("commit of a file with problems: %v, %+v", err, rep)
		}
		if n := countUsers(t, db, "lan.nt"); n != 0 {
			t.Fatalf("a rejected commit created %d accounts", n)
		}

		// A file in another layout is refused as a whole, naming the columns.
		_, err = h.ID.App.ImportAccounts(ctx, admin, sheet.CSV, strings.NewReader("ho_ten,ten\nA,b\n"), false)
		if apperr.KindOf(err) != apperr.KindInvalid {
			t.Fatalf("wrong header: %v", err)
		}
		// Over the row limit while reading.
		var big strings.Builder
		big.WriteString(importHeader)
		for i := range app.ImportLimits.Rows + 1 {
			fmt.Fprintf(&big, "u%04d.x,Người %d,,dossier.receive,xa-dong-tan,\n", i, i)
		}
		_, err = h.ID.App.ImportAccounts(ctx, admin, sheet.CSV, strings.NewReader(big.String()), false)
		if apperr.KindOf(err) != apperr.KindInvalid {
			t.Fatalf("a file over the row limit: %v", err)
		}
	})
}

func conflictCodeOf(err error) string {
	if e := apperr.As(err); e != nil && e.Kind == apperr.KindConflict {
		return e.Code
	}
	return ""
}

// All or nothing: a problem on the last line creates nothing; a username taken between the dry
// run and the commit creates nothing; a clean file creates every account, each audited, with a
// one-time password given once and stored only as its hash.
func TestBulkImportIsAllOrNothing(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := startIdentity(t, db)
		tr := h.seedTree(t)
		ctx := context.Background()
		admin := tr.admins["huyen-dong-hung"]
		var lines []string
		for i := range 30 {
			unit := []string{"huyen-dong-hung", "xa-dong-tan", "xa-dong-hoa"}[i%3]
			lines = append(lines, fmt.Sprintf("nhap.%02d,Cán bộ số %d,,dossier.receive;dossier.handle,%s,", i, i, unit))
		}
		late := append(append([]string{}, lines...), "nhap.99,Cán bộ cuối,,dossier.receive,xa-vu-hoi,")
		rep, err := h.ID.App.ImportAccounts(ctx, admin, sheet.CSV, accountsFile(late...), true)
		if conflictCodeOf(err) != "import_rejected" || len(rep.Problems) != 1 || rep.Problems[0].Line != 32 {
			t.Fatalf("an error on the last line: %v %+v", err, rep.Problems)
		}
		if n := countUsers(t, db, "nhap."); n != 0 {
			t.Fatalf("an error on the last line still created %d accounts", n)
		}

		rep, err = h.ID.App.ImportAccounts(ctx, admin, sheet.CSV, accountsFile(lines...), false)
		if err != nil || !rep.OK() || len(rep.Accounts) != 30 {
			t.Fatalf("dry run of a clean file: %v %+v", err, rep.Problems)
		}
		// Someone takes line 20's username after the dry run.
		if _, _, err := h.ID.App.CreateAccount(ctx, tr.admins["xa-dong-hoa"], app.NewAccount{Tenant: "xa-dong-hoa", Username: "nhap.19",
			Name: "Người khác", Roles: []string{"dossier.receive"}}); err != nil {
			t.Fatal(err)
		}
		rep, err = h.ID.App.ImportAccounts(ctx, admin, sheet.CSV, accountsFile(lines...), true)
		if conflictCodeOf(err) != "import_rejected" || len(rep.Problems) != 1 || rep.Problems[0].Code != app.ImportTaken || rep.Problems[0].Line != 21 {
			t.Fatalf("a username taken since the dry run: %v %+v", err, rep.Problems)
		}
		if n := countUsers(t, db, "nhap."); n != 1 {
			t.Fatalf("after a refused commit %d accounts, want only the one made by hand", n)
		}

		lines[19] = "nhap.19b,Cán bộ số 19,,dossier.receive;dossier.handle,xa-dong-hoa,CB-342-0019"
		rep, err = h.ID.App.ImportAccounts(ctx, admin, sheet.CSV, accountsFile(lines...), true)
		if err != nil || !rep.Committed || len(rep.Accounts) != 30 {
			t.Fatalf("commit of a clean file: %v %+v", err, rep.Problems)
		}
		passwords := map[string]bool{}
		for _, a := range rep.Accounts {
			if len(a.OneTimePassword) != 16 || passwords[a.OneTimePassword] {
				t.Fatalf("line %d: one-time password %q", a.Line, a.OneTimePassword)
			}
			passwords[a.OneTimePassword] = true
		}
		if n := countUsers(t, db, "nhap."); n != 31 {
			t.Fatalf("%d accounts after the commit, want 31", n)
		}
		u, err := h.ID.App.UserByUsername(ctx, "nhap.19b")
		if err != nil || !u.MustChangePassword || u.StaffID != "CB-342-0019" || strings.Contains(u.PasswordHash, rep.Accounts[19].OneTimePassword) ||
			!strings.HasPrefix(u.PasswordHash, "$argon2id$") {
			t.Fatalf("imported account: %+v %v", u, err)
		}
		var stored int64
		if err := db.Table("users").Where("password_hash = ?", rep.Accounts[19].OneTimePassword).Count(&stored).Error; err != nil || stored != 0 {
			t.Fatalf("a one-time password is stored in clear: %d %v", stored, err)
		}
		// The person signs in with it.
		if _, _, err := h.ID.App.ManagedAccount(ctx, admin, "nhap.19b"); err != nil {
			t.Fatal(err)
		}
		ok, err := adaptersVerify(h, rep.Accounts[19].OneTimePassword, u.PasswordHash)
		if err != nil || !ok {
			t.Fatalf("the one-time password does not match its hash: %v", err)
		}
		events, err := h.ID.App.AuditLog(ctx, domain.AuditFilter{Action: domain.AuditUserCreate, Actor: admin.ID, Limit: 500})
		if err != nil || len(events) != 30 {
			t.Fatalf("%d user.create lines by the importing administrator, want 30 (%v)", len(events), err)
		}
		// Committed again (a retry): every username is taken, nothing is created twice.
		rep, err = h.ID.App.ImportAccounts(ctx, admin, sheet.CSV, accountsFile(lines...), true)
		if conflictCodeOf(err) != "import_rejected" || len(rep.Problems) != 30 {
			t.Fatalf("a repeated commit: %v %d problems", err, len(rep.Problems))
		}
	})
}

// adaptersVerify checks a password against a stored hash the way sign-in does.
func adaptersVerify(_ *harness, password, hash string) (bool, error) {
	return adapters.NewPasswordHasher(8*1024, 1, 1).Verify(password, hash)
}

// Permissions: a commune's administrator cannot import into a sibling commune or its district,
// nor grant platform.admin; nothing changes. A district's administrator imports into its
// communes. A person who is not an administrator is refused.
func TestBulkImportFollowsTheTree(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := startIdentity(t, db)
		tr := h.seedTree(t)
		ctx := context.Background()
		commune := tr.admins["xa-dong-tan"]
		for _, c := range []struct {
			line, column, code string
		}{
			{"sib.1,Người xã bên,,dossier.receive,xa-dong-hoa,", app.ColUnit, app.ImportOutOfReach},
			{"sib.2,Người xã huyện khác,,dossier.receive,xa-vu-hoi,", app.ColUnit, app.ImportOutOfReach},
			{"sib.3,Quản trị huyện,,tenant.admin,huyen-dong-hung,", app.ColUnit, app.ImportOutOfReach},
			{"sib.4,Quản trị nền tảng,,platform.admin,xa-dong-tan,", app.ColRoles, app.ImportRoleForbidden},
			{"sib.5,Máy,,service,xa-dong-tan,", app.ColRoles, app.ImportRoleForbidden},
		} {
			rep, err := h.ID.App.ImportAccounts(ctx, commune, sheet.CSV, accountsFile(c.line), true)
			if conflictCodeOf(err) != "import_rejected" || !problems(rep)[problemKey{2, c.column, c.code}] {
				t.Errorf("%s: %v %+v", c.line, err, rep.Problems)
			}
		}
		if n := countUsers(t, db, "sib."); n != 0 {
			t.Fatalf("refused imports created %d accounts", n)
		}
		_, err := h.ID.App.ImportAccounts(ctx, tr.staff["xa-dong-tan"], sheet.CSV, accountsFile("sib.6,X Y,,dossier.receive,xa-dong-tan,"), true)
		if apperr.KindOf(err) != apperr.KindForbidden {
			t.Fatalf("a reception officer importing: %v", err)
		}

		district := tr.admins["huyen-dong-hung"]
		rep, err := h.ID.App.ImportAccounts(ctx, district, sheet.CSV, accountsFile(
			"dh.1,Người Đông Tân,,dossier.receive,xa-dong-tan,", "dh.2,Quản trị Đông Hòa,,tenant.admin;report.view,xa-dong-hoa,"), true)
		if err != nil || !rep.Committed {
			t.Fatalf("a district administrator importing into its communes: %v %+v", err, rep.Problems)
		}
		u, err := h.ID.App.UserByUsername(ctx, "dh.2")
		hoa, _ := h.ID.App.TenantBySlug(ctx, "xa-dong-hoa")
		if err != nil || u.TenantID != hoa.ID || len(u.Roles) != 2 {
			t.Fatalf("dh.2: %+v %v", u, err)
		}
	})
}

// The API: a dry run by default, ?commit=true to create, 409 with the report for a file with
// problems, an Idempotency-Key refused (its replay store would keep the passwords); every answer
// as api/openapi.yaml documents it.
func TestBulkImportAPI(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := startIdentity(t, db)
		h.seedTree(t)
		defer h.checkContract(t, 6)
		op := h.adminToken(t, h.Operator.ID, h.Operator.Secret)
		post := func(query string, body string, key string) (int, map[string]any) {
			t.Helper()
			req, _ := http.NewRequest(http.MethodPost, h.Issuer+"/api/v1/accounts/import"+query, strings.NewReader(body))
			req.Header.Set("Content-Type", "text/csv")
			if !strings.Contains(query, "csv") {
				req.Header.Set("Content-Type", sheet.XLSX.ContentType())
			}
			req.Header.Set("Authorization", "Bearer "+op)
			if key != "" {
				req.Header.Set("Idempotency-Key", key)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var out map[string]any
			_ = json.NewDecoder(resp.Body).Decode(&out)
			return resp.StatusCode, out
		}
		good := importHeader + "api.1,Nguyễn Văn An,,dossier.receive,xa-vu-hoi,\napi.2,Trần Thị Bình,binh@vuhoi.gov.vn,hr.officer,huyen-vu-thu,\n"
		bad := good + "api.3,Lê Văn C,,platform.admin,xa-vu-hoi,\n"
		st, out := post("?format=csv", good, "")
		if st != http.StatusOK || out["committed"] != false || len(out["accounts"].([]any)) != 2 {
			t.Fatalf("dry run: %d %v", st, out)
		}
		for _, a := range out["accounts"].([]any) {
			if a.(map[string]any)["one_time_password"] != nil {
				t.Fatalf("a dry run shows a password: %v", a)
			}
		}
		st, out = post("?format=csv&commit=true", bad, "")
		if st != http.StatusConflict || out["code"] != "import_rejected" {
			t.Fatalf("commit of a bad file: %d %v", st, out)
		}
		st, out = post("?format=csv&commit=true", good, "k-1")
		if st != http.StatusBadRequest {
			t.Fatalf("with an Idempotency-Key: %d %v", st, out)
		}
		st, out = post("?format=csv&commit=maybe", good, "")
		if st != http.StatusBadRequest {
			t.Fatalf("commit=maybe: %d %v", st, out)
		}
		st, out = post("?format=csv&commit=true", good, "")
		if st != http.StatusCreated || out["committed"] != true {
			t.Fatalf("commit: %d %v", st, out)
		}
		for _, a := range out["accounts"].([]any) {
			if p, _ := a.(map[string]any)["one_time_password"].(string); len(p) != 16 {
				t.Fatalf("a committed account without its one-time password: %v", a)
			}
		}
		var xlsx bytes.Buffer
		if err := app.ImportTemplate(sheet.XLSX, &xlsx, [][]string{{"# vai trò", "dossier.handle", "Thụ lý"}}, []string{"api.4", "Phạm Văn Dũng", "", "dossier.handle", "xa-vu-hoi", ""}); err != nil {
			t.Fatal(err)
		}
		st, out = post("", xlsx.String(), "")
		if st != http.StatusOK || len(out["accounts"].([]any)) != 1 {
			t.Fatalf("an XLSX dry run: %d %v", st, out)
		}
	})
}

// The template a district's administrator downloads lists the roles they may grant (with their
// Vietnamese names) and the units of their subtree as notes, and goes back in as it is: the
// notes are skipped and the example line is a valid account. A reception officer gets 403 on
// every import page.
func TestBulkImportTemplateAndPagesAccess(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := startIdentity(t, db)
		tr := h.seedTree(t)
		b := h.signInPages(t, tr.admins["huyen-dong-hung"].Username, h.Password)
		for _, format := range []sheet.Format{sheet.CSV, sheet.XLSX} {
			st, body := b.get("/auth/admin/import/template." + string(format))
			if st != http.StatusOK {
				t.Fatalf("template %s: %d", format, st)
			}
			var rows [][]string
			if _, err := sheet.Read(format, strings.NewReader(body), func(_ int, cells []string) error {
				rows = append(rows, cells)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			notes := map[string]bool{}
			for _, r := range rows {
				if strings.HasPrefix(r[0], "#") {
					notes[r[1]] = true
				}
			}
			for _, want := range []string{"dossier.receive", "tenant.admin", "huyen-dong-hung", "xa-dong-tan", "xa-dong-hoa"} {
				if !notes[want] {
					t.Errorf("%s template: no note for %s in %v", format, want, rows)
				}
			}
			for _, never := range []string{"platform.admin", "service", "xa-vu-hoi", "tinh-thai-binh"} {
				if notes[never] {
					t.Errorf("%s template lists %s", format, never)
				}
			}
			rep, err := h.ID.App.ImportAccounts(context.Background(), tr.admins["huyen-dong-hung"], format, strings.NewReader(body), false)
			if err != nil || !rep.OK() || rep.Rows != 1 || len(rep.Accounts) != 1 || rep.Accounts[0].User.Username != "hoa.nt" {
				t.Fatalf("the %s template sent back as it is: %v %+v", format, err, rep)
			}
		}
		if st, body := b.get("/auth/admin/import"); st != http.StatusOK || !strings.Contains(body, "Tiếp nhận hồ sơ tại bộ phận một cửa") {
			t.Fatalf("import page: %d", st)
		}
		officer := h.signInPages(t, tr.staff["huyen-dong-hung"].Username, h.Password)
		for _, p := range []string{"/auth/admin/import", "/auth/admin/import/template.csv"} {
			if st, _ := officer.get(p); st != http.StatusForbidden {
				t.Fatalf("a reception officer on %s: %d", p, st)
			}
		}
	})
}

// Two administrators commit overlapping files at the same time: one file is created whole, the
// other not at all (its usernames taken by the first, found in its transaction or by the unique
// index), never a mix.
func TestBulkImportConcurrentCommitsDoNotMix(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := startIdentity(t, db)
		tr := h.seedTree(t)
		var a, b []string
		for i := range 20 {
			a = append(a, fmt.Sprintf("dua.%02d,Người %d,,dossier.receive,xa-dong-tan,", i, i))
			b = append(b, fmt.Sprintf("dua.%02d,Người %d,,dossier.receive,xa-dong-hoa,", i+10, i+10))
		}
		type result struct {
			rep app.AccountImport
			err error
		}
		results := make(chan result, 2)
		for _, job := range []struct {
			admin string
			lines []string
		}{{"xa-dong-tan", a}, {"xa-dong-hoa", b}} {
			go func() {
				rep, err := h.ID.App.ImportAccounts(context.Background(), tr.admins[job.admin], sheet.CSV, accountsFile(job.lines...), true)
				results <- result{rep, err}
			}()
		}
		committed := 0
		for range 2 {
			r := <-results
			switch {
			case r.err == nil && r.rep.Committed:
				committed++
			case conflictCodeOf(r.err) == "import_rejected":
			default:
				t.Fatalf("a concurrent commit: %v", r.err)
			}
		}
		n := countUsers(t, db, "dua.")
		if committed != 1 || n != 20 {
			t.Fatalf("%d commits went through and %d accounts exist; the files share 10 usernames, so exactly one whole file is expected", committed, n)
		}
	})
}
