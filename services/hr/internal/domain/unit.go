package domain

import (
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/platform"
)

// UnitKind says what a unit is; it decides nothing in the rules, it labels the tree.
type UnitKind string

const (
	UnitAuthority  UnitKind = "authority"  // the People's Committee itself, root of a tenant's tree
	UnitOffice     UnitKind = "office"     // Văn phòng
	UnitDepartment UnitKind = "department" // Phòng
	UnitCenter     UnitKind = "center"     // Trung tâm
	UnitDesk       UnitKind = "desk"       // Bộ phận (e.g. the one-stop desk)
	UnitTeam       UnitKind = "team"       // Tổ, đội
)

// Label is the kind in Vietnamese.
func (k UnitKind) Label() string {
	switch k {
	case UnitAuthority:
		return "Cơ quan"
	case UnitOffice:
		return "Văn phòng"
	case UnitDepartment:
		return "Phòng"
	case UnitCenter:
		return "Trung tâm"
	case UnitDesk:
		return "Bộ phận"
	case UnitTeam:
		return "Tổ"
	}
	return string(k)
}

func (k UnitKind) valid() bool {
	switch k {
	case UnitAuthority, UnitOffice, UnitDepartment, UnitCenter, UnitDesk, UnitTeam:
		return true
	}
	return false
}

// Unit is an organisation unit as it stands today. Its past shapes are UnitVersions.
type Unit struct {
	ID       string
	Tenant   string
	Code     string // short and unique in the tenant, used by imports: "VP", "KT"
	Name     string
	Kind     UnitKind
	ParentID string // "" for a root
	OpenedOn time.Time
	ClosedOn *time.Time
	// CloseReason says why it was closed (merged, dissolved).
	CloseReason string
}

// OpenOn reports whether the unit exists on day d.
func (u Unit) OpenOn(d time.Time) bool {
	return !u.OpenedOn.After(d) && (u.ClosedOn == nil || u.ClosedOn.After(d))
}

// Change names what made a new version of a unit, or a new assignment of a person.
type Change string

const (
	ChangeCreated Change = "created"
	ChangeRenamed Change = "renamed"
	ChangeMoved   Change = "moved"
	ChangeClosed  Change = "closed"
	ChangeHired   Change = "hired"
	ChangeLeft    Change = "left"
)

// UnitVersion is the name and place of a unit over [ValidFrom, ValidTo): history is never
// rewritten, a change closes the current version and opens the next one.
type UnitVersion struct {
	UnitID    string
	Name      string
	ParentID  string
	ValidFrom time.Time
	ValidTo   *time.Time
	Change    Change
	Reason    string
}

var unitCodeRE = regexp.MustCompile(`^[A-Z0-9][A-Z0-9_.-]{0,19}$`)

// ValidateNew checks a unit about to be created.
func (u Unit) ValidateNew() error {
	var errs apperr.FieldErrors
	if !unitCodeRE.MatchString(u.Code) {
		errs.Add("code", "mã đơn vị gồm 1–20 chữ in hoa, chữ số, '.', '-' hoặc '_'")
	}
	checkUnitName(&errs, u.Name)
	if !u.Kind.valid() {
		errs.Add("kind", "loại đơn vị phải là authority, office, department, center, desk hoặc team")
	}
	if u.OpenedOn.IsZero() {
		errs.Add("opened_on", "ngày thành lập là bắt buộc")
	}
	return errs.Err()
}

func checkUnitName(errs *apperr.FieldErrors, name string) {
	name = strings.TrimSpace(name)
	if name == "" {
		errs.Add("name", "tên đơn vị là bắt buộc")
	} else if utf8.RuneCountInString(name) > 200 {
		errs.Add("name", "tên đơn vị dài quá 200 ký tự")
	}
}

// Tree is a tenant's units by id, for the rules that look at more than one unit.
type Tree map[string]Unit

// NewTree indexes units by id.
func NewTree(units []Unit) Tree {
	t := make(Tree, len(units))
	for _, u := range units {
		t[u.ID] = u
	}
	return t
}

// Subtree returns id and every unit below it (today's shape).
func (t Tree) Subtree(id string) []string {
	children := map[string][]string{}
	for _, u := range t {
		if u.ParentID != "" {
			children[u.ParentID] = append(children[u.ParentID], u.ID)
		}
	}
	out := []string{id}
	for i := 0; i < len(out); i++ {
		out = append(out, children[out[i]]...)
	}
	return out
}

// CheckParent says whether unit id may hang under parent on day d: the parent exists, is open
// then, and is not the unit itself or one of its descendants (which would make a cycle).
func (t Tree) CheckParent(id, parent string, d time.Time) error {
	if parent == "" {
		return nil
	}
	p, ok := t[parent]
	if !ok {
		return apperr.Invalid("parent_id", "đơn vị cấp trên không tồn tại")
	}
	if !p.OpenOn(d) {
		return apperr.Invalid("parent_id", "đơn vị cấp trên đã giải thể hoặc chưa thành lập vào ngày hiệu lực")
	}
	if id == "" {
		return nil
	}
	for _, below := range t.Subtree(id) {
		if below == parent {
			return apperr.Invalid("parent_id", "không thể chuyển đơn vị vào chính nó hoặc đơn vị cấp dưới của nó")
		}
	}
	return nil
}

// CheckRename validates a new name.
func CheckRename(name string) error {
	var errs apperr.FieldErrors
	checkUnitName(&errs, name)
	return errs.Err()
}

// CheckClose says whether unit id may close on day d: it is open, has no open children and
// nobody works in it then (the HR officer moves them first, so no assignment dangles).
func (t Tree) CheckClose(id string, d time.Time, reason string, activeStaff int) error {
	u := t[id]
	if strings.TrimSpace(reason) == "" {
		return apperr.Invalid("reason", "cần ghi lý do giải thể, sáp nhập đơn vị")
	}
	if !u.OpenOn(d) {
		return apperr.Conflict("unit_closed", "đơn vị đã giải thể hoặc chưa thành lập vào ngày này")
	}
	for _, c := range t {
		if c.ParentID == id && c.OpenOn(d) {
			return apperr.Conflict("unit_has_children", "đơn vị còn đơn vị cấp dưới đang hoạt động: chuyển hoặc giải thể chúng trước")
		}
	}
	if activeStaff > 0 {
		return apperr.Conflict("unit_has_staff", "đơn vị còn người đang công tác: điều động họ sang đơn vị khác trước").
			WithDetail("active_staff", activeStaff)
	}
	return nil
}

// TwoTierReformDay is when communes and wards of the two-tier local government began work
// (Nghị quyết 202/2025/QH15, effective 1 July 2025): the seeded units of a commune or ward are
// open from that day, so that their staff's careers can be recorded from it.
var TwoTierReformDay = time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)

// SeedOpenedOn is the day the seeded units of a tenant of kind open: the reform day for
// communes and wards, otherwise today.
func SeedOpenedOn(kind platform.TenantKind, today time.Time) time.Time {
	if (kind == platform.KindCommune || kind == platform.KindWard) && today.After(TwoTierReformDay) {
		return TwoTierReformDay
	}
	return today
}

// SeedUnit is one unit a new tenant starts with.
type SeedUnit struct {
	Code, Name string
	Kind       UnitKind
	Parent     string // code of the parent, "" for the root
}

// DefaultUnits is the organisation a new tenant starts with, by the tenant's kind.
//
// A commune or ward follows the two-tier local government of 2025: Nghị định 150/2025/NĐ-CP
// gives the commune People's Committee two specialised offices beside its Office (Văn phòng
// HĐND và UBND): Phòng Kinh tế (Phòng Kinh tế, Hạ tầng và Đô thị in a ward) and Phòng Văn hóa
// – Xã hội; and Nghị định 118/2025/NĐ-CP sets up the Trung tâm Phục vụ hành chính công of each
// commune, which runs the one-stop desk. Other kinds (a district of the old three tiers, a
// province) get only the root and its Office; their HR officers add the rest.
func DefaultUnits(kind platform.TenantKind, tenantName string) []SeedUnit {
	root := strings.TrimSpace(tenantName)
	if root == "" {
		root = "Ủy ban nhân dân"
	}
	units := []SeedUnit{
		{Code: "UBND", Name: root, Kind: UnitAuthority},
		{Code: "VP", Name: "Văn phòng Hội đồng nhân dân và Ủy ban nhân dân", Kind: UnitOffice, Parent: "UBND"},
	}
	switch kind {
	case platform.KindCommune, platform.KindWard:
		economy := "Phòng Kinh tế"
		if kind == platform.KindWard {
			economy = "Phòng Kinh tế, Hạ tầng và Đô thị"
		}
		units = append(units,
			SeedUnit{Code: "KT", Name: economy, Kind: UnitDepartment, Parent: "UBND"},
			SeedUnit{Code: "VHXH", Name: "Phòng Văn hóa – Xã hội", Kind: UnitDepartment, Parent: "UBND"},
			SeedUnit{Code: "TTPVHCC", Name: "Trung tâm Phục vụ hành chính công", Kind: UnitCenter, Parent: "UBND"},
		)
	}
	return units
}
