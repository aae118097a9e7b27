package app

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"

	"golang.org/x/sync/errgroup"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/sheet"
	"egov.vn/platform/services/identity/internal/domain"
)

// Bulk onboarding: an administrator creates the accounts of a whole unit from one spreadsheet
// (CSV or XLSX, read by libs/sheet). A dry run lists every problem by line and column; the commit
// checks the whole file again (it may be stale: a username taken since, a unit moved) and writes
// all of it in one transaction, each account with its audit line, or nothing. The one-time
// passwords are returned once, in the commit's answer, and only their argon2id hashes are stored.

// ImportColumns are the columns of an accounts file, in order; the names are what the
// administrator sees in the spreadsheet's first row (ASCII Vietnamese, like hr's imports).
var ImportColumns = []string{ColUsername, ColName, ColEmail, ColRoles, ColUnit, ColStaffID}

// The columns of an accounts file.
const (
	ColUsername = "ten_dang_nhap"
	ColName     = "ho_ten"
	ColEmail    = "email"
	ColRoles    = "vai_tro"   // role names separated by ';'
	ColUnit     = "don_vi"    // the unit's slug
	ColStaffID  = "ma_can_bo" // the person's HR record, optional
)

// ImportLimits bound one accounts file, checked while it is read (sheet.Limits): a district
// onboards some hundreds of people, so 2,000 rows leave room while bounding the commit's hashing
// (about 2,000 × 40 ms of argon2id on one core) to well under a minute on two cores.
var ImportLimits = sheet.Limits{Rows: 2000, Cells: 20, Bytes: 4 << 20}

// Codes of the problems a line can have; pages translate them ("bulk.err.<code>"), the API shows
// Reason in Vietnamese.
const (
	ImportBadUsername    = "bad_username"
	ImportDuplicate      = "duplicate"
	ImportTaken          = "taken"
	ImportEmptyName      = "empty_name"
	ImportLongName       = "long_name"
	ImportBadEmail       = "bad_email"
	ImportNoRoles        = "no_roles"
	ImportUnknownRole    = "unknown_role"
	ImportRoleForbidden  = "role_not_grantable"
	ImportNoUnit         = "no_unit"
	ImportUnknownUnit    = "unknown_unit"
	ImportOutOfReach     = "unit_out_of_reach"
	ImportBadStaffID     = "bad_staff_id"
	ImportDuplicateStaff = "duplicate_staff_id"
)

// importReasons are the Vietnamese explanations of each code, with what to fix; %[1]s is the
// cell's value, %[2]d another line of the file.
var importReasons = map[string]string{
	ImportBadUsername:    "tên đăng nhập %[1]q không hợp lệ: 3–64 ký tự, chữ thường không dấu, chữ số, '.', '_' hoặc '-', bắt đầu bằng chữ hoặc số, ví dụ hoa.nt",
	ImportDuplicate:      "tên đăng nhập %[1]q trùng với dòng %[2]d của tệp; mỗi người một tên",
	ImportTaken:          "tên đăng nhập %[1]q đã có người dùng; chọn tên khác, ví dụ thêm chữ cái đầu của tên đệm",
	ImportEmptyName:      "bắt buộc: nhập họ và tên đầy đủ, ví dụ Nguyễn Thị Hoa",
	ImportLongName:       "họ và tên dài quá 200 ký tự",
	ImportBadEmail:       "thư điện tử %[1]q chưa đúng, ví dụ hoa.nt@dongtan.gov.vn; để trống nếu không có",
	ImportNoRoles:        "bắt buộc: ít nhất một vai trò, các vai trò cách nhau bằng dấu ;",
	ImportUnknownRole:    "vai trò %[1]q không có; dùng tên vai trò trong tệp mẫu, ví dụ dossier.receive",
	ImportRoleForbidden:  "vai trò %[1]q không được cấp từ đơn vị; chỉ quản trị nền tảng cấp vai trò này",
	ImportNoUnit:         "bắt buộc: mã đơn vị (slug) trong tệp mẫu",
	ImportUnknownUnit:    "không có đơn vị %[1]q; dùng mã đơn vị trong tệp mẫu",
	ImportOutOfReach:     "đơn vị %[1]q không thuộc phạm vi bạn quản trị; chỉ tạo tài khoản cho đơn vị của bạn và các đơn vị trực thuộc",
	ImportBadStaffID:     "mã cán bộ %[1]q không hợp lệ: tối đa 64 ký tự, không có dấu cách",
	ImportDuplicateStaff: "mã cán bộ %[1]q trùng với dòng %[2]d của tệp; mỗi hồ sơ nhân sự một tài khoản",
}

// ImportProblem is one problem of one line: the spreadsheet line, the column and why.
type ImportProblem struct {
	Line   int
	Column string
	Code   string
	Value  string // the cell as written (roles: the one role at fault)
	Other  int    // the other line of a duplicate
}

// Reason is the problem in Vietnamese, with what to fix.
func (p ImportProblem) Reason() string {
	if p.Code == "" {
		return p.Value
	}
	reason := importReasons[p.Code]
	if !strings.Contains(reason, "%") {
		return reason
	}
	return fmt.Sprintf(reason, p.Value, p.Other)
}

// ImportedAccount is one account a file makes. OneTimePassword is set only in a commit's answer.
type ImportedAccount struct {
	Line            int
	User            domain.User
	Unit            domain.Tenant
	OneTimePassword string
}

// maxImportProblems bounds the problems one report lists; a file in the wrong layout would
// otherwise list every cell.
const maxImportProblems = 1000

// AccountImport is the result of a dry run or a commit.
type AccountImport struct {
	Rows      int
	Problems  []ImportProblem
	Truncated bool
	Committed bool
	Accounts  []ImportedAccount
}

// OK reports whether the file has no problem.
func (r AccountImport) OK() bool { return len(r.Problems) == 0 }

func (r *AccountImport) add(p ImportProblem) {
	if len(r.Problems) >= maxImportProblems {
		r.Truncated = true
		return
	}
	r.Problems = append(r.Problems, p)
}

// importRejected is the answer to a commit of a file with problems: nothing was written. The
// report is returned beside it; the API puts it in the problem's "report".
func importRejected(n int) error {
	return apperr.Conflict("import_rejected", fmt.Sprintf("tệp có %d lỗi; không tài khoản nào được tạo. Sửa các dòng được nêu rồi nhập lại", n))
}

// importScope is the units an import may create accounts in, and the actor's id for the audit log.
type importScope struct {
	actor   string
	tenants []domain.Tenant // by slug
}

// ImportAccounts checks an accounts file (commit false: a dry run) or checks it and creates every
// account in one transaction (commit true) for a unit's administrator, in their subtree. A file
// with any problem creates nothing; a commit of it also fails with a Conflict (import_rejected)
// beside the report.
func (s *App) ImportAccounts(ctx context.Context, admin domain.User, format sheet.Format, r io.Reader, commit bool) (AccountImport, error) {
	tenants, err := s.ManagedTenants(ctx, admin)
	if err != nil {
		return AccountImport{}, err
	}
	return s.importAccounts(ctx, importScope{actor: admin.ID, tenants: tenants}, format, r, commit)
}

// ImportAccountsAsPlatform is ImportAccounts for the platform's own tooling (the admin API's
// platform.admin clients): every unit is in reach, and still only GrantableRoles are given:
// platform.admin and service are never made by a spreadsheet.
func (s *App) ImportAccountsAsPlatform(ctx context.Context, actor string, format sheet.Format, r io.Reader, commit bool) (AccountImport, error) {
	tenants, err := s.store.ListTenants(ctx)
	if err != nil {
		return AccountImport{}, err
	}
	return s.importAccounts(ctx, importScope{actor: actor, tenants: tenants}, format, r, commit)
}

// ImportTemplate writes an accounts file to fill in: the header row, notes (lines whose first
// cell starts with '#', which the import skips: the roles and units the file may name) and an
// example line.
func ImportTemplate(format sheet.Format, w io.Writer, notes [][]string, example []string) error {
	out, err := sheet.NewWriter(format, w, sheet.Options{SheetName: "tai_khoan"})
	if err != nil {
		return err
	}
	if err := out.Header(ImportColumns...); err != nil {
		return err
	}
	for _, n := range notes {
		if err := out.Strings(n); err != nil {
			return err
		}
	}
	if example != nil {
		if err := out.Strings(example); err != nil {
			return err
		}
	}
	return out.Close()
}

// staffIDOK checks the shape of an HR staff id only: HR owns the records, and linking an account
// to its record (and checking it exists) is HR's and the link's business.
func staffIDOK(s string) bool { return len(s) <= 64 && !strings.ContainsAny(s, " \t\r\n") }

// parseRoles splits a roles cell; a role may be written by name (dossier.receive) or by its
// Vietnamese description as the template lists it.
func parseRoles(cell string) (roles []string, bad []string) {
	for _, r := range strings.Split(cell, ";") {
		r = strings.TrimSpace(r)
		if r == "" {
			continue
		}
		name := ""
		for _, info := range platform.Roles() {
			if strings.EqualFold(string(info.Name), r) || strings.EqualFold(info.Description, r) {
				name = string(info.Name)
			}
		}
		if name == "" {
			bad = append(bad, r)
			continue
		}
		roles = append(roles, name)
	}
	slices.Sort(roles)
	return slices.Compact(roles), bad
}

func (s *App) importAccounts(ctx context.Context, scope importScope, format sheet.Format, r io.Reader, commit bool) (AccountImport, error) {
	rep := AccountImport{Problems: []ImportProblem{}}
	all, err := s.store.ListTenants(ctx)
	if err != nil {
		return rep, err
	}
	inReach := map[string]bool{}
	for _, t := range scope.tenants {
		inReach[t.ID] = true
	}
	bySlug := map[string]domain.Tenant{}
	for _, t := range all {
		bySlug[t.Slug] = t
	}
	now := s.Now()
	seen, seenStaff := map[string]int{}, map[string]int{}
	header, err := ImportLimits.Read(format, r, func(line int, row []string) error {
		if len(row) > 0 && strings.HasPrefix(strings.TrimSpace(row[0]), "#") {
			return nil // a note, as the template lists the roles and units
		}
		rep.Rows++
		cell := func(col string) string {
			i := slices.Index(ImportColumns, col)
			if i < len(row) {
				return strings.TrimSpace(row[i])
			}
			return ""
		}
		ok := true
		bad := func(col, code, value string, other int) {
			rep.add(ImportProblem{Line: line, Column: col, Code: code, Value: value, Other: other})
			ok = false
		}
		u := domain.User{ID: newID(), Username: strings.ToLower(cell(ColUsername)), Name: cell(ColName), Email: cell(ColEmail),
			StaffID: cell(ColStaffID), MustChangePassword: true, CreatedAt: now, UpdatedAt: now}
		if err := (domain.User{Username: u.Username, Name: "x", TenantID: "x"}).Validate(); err != nil {
			bad(ColUsername, ImportBadUsername, cell(ColUsername), 0)
		} else if prev, dup := seen[u.Username]; dup {
			bad(ColUsername, ImportDuplicate, u.Username, prev)
		} else {
			seen[u.Username] = line
		}
		switch {
		case u.Name == "":
			bad(ColName, ImportEmptyName, "", 0)
		case len([]rune(u.Name)) > 200:
			bad(ColName, ImportLongName, "", 0)
		}
		if u.Email != "" {
			if err := (domain.User{Username: "abc", Name: "x", TenantID: "x", Email: u.Email}).Validate(); err != nil {
				bad(ColEmail, ImportBadEmail, u.Email, 0)
			}
		}
		roles, unknown := parseRoles(cell(ColRoles))
		for _, r := range unknown {
			bad(ColRoles, ImportUnknownRole, r, 0)
		}
		for _, r := range roles {
			if !domain.Grantable(r) {
				bad(ColRoles, ImportRoleForbidden, r, 0)
			}
		}
		if len(roles) == 0 && len(unknown) == 0 {
			bad(ColRoles, ImportNoRoles, "", 0)
		}
		u.Roles = roles
		slug := strings.ToLower(cell(ColUnit))
		t, found := bySlug[slug]
		switch {
		case slug == "":
			bad(ColUnit, ImportNoUnit, "", 0)
		case !found:
			bad(ColUnit, ImportUnknownUnit, cell(ColUnit), 0)
		case !inReach[t.ID]:
			// Units outside the subtree are named as the administrator wrote them; that they
			// exist is no secret (the tree is public to every service), their people are.
			bad(ColUnit, ImportOutOfReach, cell(ColUnit), 0)
		}
		u.TenantID = t.ID
		if u.StaffID != "" {
			if !staffIDOK(u.StaffID) {
				bad(ColStaffID, ImportBadStaffID, u.StaffID, 0)
			} else if prev, dup := seenStaff[u.StaffID]; dup {
				bad(ColStaffID, ImportDuplicateStaff, u.StaffID, prev)
			} else {
				seenStaff[u.StaffID] = line
			}
		}
		if ok {
			rep.Accounts = append(rep.Accounts, ImportedAccount{Line: line, User: u, Unit: t})
		}
		return nil
	})
	if err != nil {
		return rep, err
	}
	if err := checkImportHeader(header); err != nil {
		return rep, err
	}
	if rep.Rows == 0 {
		return rep, apperr.Invalid("file", "tệp không có dòng dữ liệu nào; điền mỗi người một dòng dưới dòng tiêu đề")
	}
	if err := s.markTaken(ctx, &rep); err != nil {
		return rep, err
	}
	sortProblems(rep.Problems)
	if !commit {
		return rep, nil
	}
	if !rep.OK() {
		rep.Accounts = nil
		return rep, importRejected(len(rep.Problems))
	}
	if err := s.hashAll(ctx, rep.Accounts); err != nil {
		return rep, err
	}
	err = s.store.Transact(ctx, func(ctx context.Context) error {
		// Checked again inside the transaction: a username taken since the file was read is a
		// line problem, not a half-written import. The unique index still guards the last instant
		// (a Conflict here rolls everything back).
		taken, err := s.store.TakenUsernames(ctx, usernames(rep.Accounts))
		if err != nil {
			return err
		}
		if len(taken) > 0 {
			return errTakenSince
		}
		for _, a := range rep.Accounts {
			if err := s.store.CreateUser(ctx, a.User); err != nil {
				return err
			}
			if err := s.auditTx(ctx, domain.AuditEvent{TenantID: a.User.TenantID, Actor: scope.actor, Action: domain.AuditUserCreate, Subject: a.User.ID,
				Detail: a.User.Username + " roles " + strings.Join(a.User.Roles, ",") + " import line " + fmt.Sprint(a.Line)}); err != nil {
				return err
			}
		}
		return nil
	})
	if conflictCode(err) == "user_exists" { // errTakenSince, or the unique index's Conflict
		// Someone took a username between the check and the write: report it by line.
		if err := s.markTaken(ctx, &rep); err != nil {
			return rep, err
		}
		sortProblems(rep.Problems)
		rep.Accounts = nil
		return rep, importRejected(max(len(rep.Problems), 1))
	}
	if err != nil {
		for i := range rep.Accounts {
			rep.Accounts[i].OneTimePassword = ""
		}
		return rep, err
	}
	rep.Committed = true
	return rep, nil
}

var errTakenSince = &apperr.Error{Kind: apperr.KindConflict, Code: "user_exists", Message: "a username was taken during the import"}

func conflictCode(err error) string {
	if e := apperr.As(err); e != nil && e.Kind == apperr.KindConflict {
		return e.Code
	}
	return ""
}

func usernames(as []ImportedAccount) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.User.Username
	}
	return out
}

// markTaken adds a problem for each account of the file whose username exists already, and
// drops it from the accounts to make.
func (s *App) markTaken(ctx context.Context, rep *AccountImport) error {
	if len(rep.Accounts) == 0 {
		return nil
	}
	taken, err := s.store.TakenUsernames(ctx, usernames(rep.Accounts))
	if err != nil {
		return err
	}
	if len(taken) == 0 {
		return nil
	}
	keep := rep.Accounts[:0]
	for _, a := range rep.Accounts {
		if slices.Contains(taken, a.User.Username) {
			rep.add(ImportProblem{Line: a.Line, Column: ColUsername, Code: ImportTaken, Value: a.User.Username})
			continue
		}
		keep = append(keep, a)
	}
	rep.Accounts = keep
	return nil
}

func sortProblems(ps []ImportProblem) {
	slices.SortStableFunc(ps, func(a, b ImportProblem) int {
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return slices.Index(ImportColumns, a.Column) - slices.Index(ImportColumns, b.Column)
	})
}

func checkImportHeader(header []string) error {
	for i, w := range ImportColumns {
		if i >= len(header) || !strings.EqualFold(strings.TrimSpace(header[i]), w) {
			return apperr.Invalid("file", "dòng tiêu đề phải là: "+strings.Join(ImportColumns, ", ")+"; tải tệp mẫu để có đúng các cột").
				WithDetail("expected_columns", ImportColumns)
		}
	}
	return nil
}

// hashAll gives every account a one-time password and its argon2id hash. Hashing is the cost of
// an import (tens of milliseconds and 19 MiB each with production parameters), so it runs before
// the transaction, which then holds its locks for the inserts only, on as many goroutines as
// GOMAXPROCS: more would only queue on the cores and multiply the memory.
func (s *App) hashAll(ctx context.Context, as []ImportedAccount) error {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i := range as {
		g.Go(func() error {
			if err := ctx.Err(); err != nil {
				return err
			}
			password := OneTimePassword()
			hash, err := s.hasher.Hash(password)
			if err != nil {
				return err
			}
			as[i].OneTimePassword, as[i].User.PasswordHash = password, hash
			return nil
		})
	}
	return g.Wait()
}
