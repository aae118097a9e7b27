package domain

import (
	"slices"
	"strings"
	"testing"
	"time"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/platform"
)

// fieldsOf returns the sorted, distinct fields an invalid error names, or nil for nil. Any error
// that is not an invalid *apperr.Error fails the test: validation must say which field is wrong.
func fieldsOf(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	e := apperr.As(err)
	if e == nil || e.Kind != apperr.KindInvalid {
		t.Fatalf("error %v is not an invalid *apperr.Error", err)
	}
	var out []string
	for _, f := range e.Fields {
		if f.Reason == "" {
			t.Errorf("field %q has no reason", f.Field)
		}
		out = append(out, f.Field)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func checkFields(t *testing.T, err error, want ...string) {
	t.Helper()
	slices.Sort(want)
	if got := fieldsOf(t, err); !slices.Equal(got, want) {
		t.Fatalf("fields at fault = %v, want %v (error: %v)", got, want, err)
	}
}

// dongTan is a valid commune under its district, the base each case changes one thing of.
func dongTan() Tenant {
	return Tenant{ID: "b1c2", Slug: "xa-dong-tan", Code: "12700", Name: "UBND xã Đông Tân",
		Kind: platform.KindCommune, ParentID: "huyen-dong-hung-id"}
}

func TestTenantValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(*Tenant)
		want   []string // fields at fault; none means valid
	}{
		{"commune under a district", func(*Tenant) {}, nil},
		{"province without parent", func(x *Tenant) {
			x.Slug, x.Code, x.Name, x.Kind, x.ParentID = "tinh-thai-binh", "34", "UBND tỉnh Thái Bình", platform.KindProvince, ""
		}, nil},
		{"district", func(x *Tenant) { x.Slug, x.Code, x.Kind = "huyen-dong-hung", "342", platform.KindDistrict }, nil},
		{"ward", func(x *Tenant) { x.Slug, x.Kind = "phuong-tien-phong", platform.KindWard }, nil},
		{"town", func(x *Tenant) { x.Slug, x.Kind = "thi-tran-dong-hung", platform.KindTown }, nil},

		{"slug of one character", func(x *Tenant) { x.Slug = "x" }, nil},
		{"slug of 56 characters", func(x *Tenant) { x.Slug = strings.Repeat("a", platform.MaxSlugLength) }, nil},
		{"slug of 57 characters: its namespace and bucket would pass 63", func(x *Tenant) { x.Slug = strings.Repeat("a", platform.MaxSlugLength+1) }, []string{"slug"}},
		{"slug empty", func(x *Tenant) { x.Slug = "" }, []string{"slug"}},
		{"slug with leading dash", func(x *Tenant) { x.Slug = "-xa-dong-tan" }, []string{"slug"}},
		{"slug with trailing dash", func(x *Tenant) { x.Slug = "xa-dong-tan-" }, []string{"slug"}},
		{"slug in upper case", func(x *Tenant) { x.Slug = "Xa-Dong-Tan" }, []string{"slug"}},
		{"slug with diacritics", func(x *Tenant) { x.Slug = "xã-đông-tân" }, []string{"slug"}},
		{"slug with a dot", func(x *Tenant) { x.Slug = "xa.dong-tan" }, []string{"slug"}},
		{"slug with an underscore", func(x *Tenant) { x.Slug = "xa_dong_tan" }, []string{"slug"}},

		{"code of 2 digits", func(x *Tenant) { x.Code = "34" }, nil},
		{"code of 5 digits", func(x *Tenant) { x.Code = "12700" }, nil},
		{"code of 1 digit", func(x *Tenant) { x.Code = "3" }, []string{"code"}},
		{"code of 6 digits", func(x *Tenant) { x.Code = "127000" }, []string{"code"}},
		{"code with letters", func(x *Tenant) { x.Code = "12a00" }, []string{"code"}},
		{"code empty", func(x *Tenant) { x.Code = "" }, []string{"code"}},
		{"code with space", func(x *Tenant) { x.Code = "127 0" }, []string{"code"}},

		{"name empty", func(x *Tenant) { x.Name = "" }, []string{"name"}},
		{"name blank", func(x *Tenant) { x.Name = "   " }, []string{"name"}},
		{"name of 200 runes", func(x *Tenant) { x.Name = strings.Repeat("Đ", 200) }, nil},
		{"name of 201 runes", func(x *Tenant) { x.Name = strings.Repeat("Đ", 201) }, []string{"name"}},

		{"kind unknown", func(x *Tenant) { x.Kind = "village" }, []string{"kind"}},
		{"kind empty", func(x *Tenant) { x.Kind = "" }, []string{"kind"}},
		{"kind unknown without parent: only kind", func(x *Tenant) { x.Kind, x.ParentID = "hamlet", "" }, []string{"kind"}},

		{"province with a parent", func(x *Tenant) { x.Kind = platform.KindProvince }, []string{"parent"}},
		{"district without parent", func(x *Tenant) { x.Kind, x.ParentID = platform.KindDistrict, "" }, []string{"parent"}},
		{"commune without parent", func(x *Tenant) { x.ParentID = "" }, []string{"parent"}},
		{"ward without parent", func(x *Tenant) { x.Kind, x.ParentID = platform.KindWard, "" }, []string{"parent"}},
		{"town without parent", func(x *Tenant) { x.Kind, x.ParentID = platform.KindTown, "" }, []string{"parent"}},

		{"every field wrong at once", func(x *Tenant) { *x = Tenant{Kind: platform.KindCommune} },
			[]string{"slug", "code", "name", "parent"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tenant := dongTan()
			tc.change(&tenant)
			checkFields(t, tenant.Validate(), tc.want...)
		})
	}
}

func TestCanParent(t *testing.T) {
	t.Parallel()
	province := Tenant{Slug: "tinh-thai-binh", Kind: platform.KindProvince}
	district := Tenant{Slug: "huyen-dong-hung", Kind: platform.KindDistrict}
	commune := Tenant{Slug: "xa-dong-tan", Kind: platform.KindCommune}
	ward := Tenant{Slug: "phuong-tien-phong", Kind: platform.KindWard}
	town := Tenant{Slug: "thi-tran-dong-hung", Kind: platform.KindTown}
	tests := []struct {
		parent Tenant
		child  platform.TenantKind
		ok     bool
	}{
		{province, platform.KindDistrict, true},
		{district, platform.KindCommune, true},
		{district, platform.KindWard, true},
		{district, platform.KindTown, true},
		// Two-tier provinces (since 2025): communes sit directly under the province.
		{province, platform.KindCommune, true},
		{province, platform.KindWard, true},
		{province, platform.KindTown, true},

		{province, platform.KindProvince, false},
		{district, platform.KindProvince, false},
		{district, platform.KindDistrict, false},
		{commune, platform.KindDistrict, false},
		{commune, platform.KindCommune, false},
		{commune, platform.KindWard, false},
		{ward, platform.KindCommune, false},
		{town, platform.KindTown, false},
		{province, "village", false},
		{province, "", false},
	}
	for _, tc := range tests {
		t.Run(string(tc.child)+" under "+string(tc.parent.Kind), func(t *testing.T) {
			t.Parallel()
			err := CanParent(tc.parent, tc.child)
			if tc.ok {
				checkFields(t, err)
				return
			}
			checkFields(t, err, "parent")
		})
	}
}

func TestUserValidate(t *testing.T) {
	t.Parallel()
	hoa := func() User {
		return User{ID: "u1", TenantID: "xa-dong-tan-id", Username: "hoa.nt", Name: "Nguyễn Thị Hoa",
			Email: "hoa.nt@dongtan.gov.vn"}
	}
	tests := []struct {
		name   string
		change func(*User)
		want   []string
	}{
		{"valid", func(*User) {}, nil},
		{"no e-mail", func(u *User) { u.Email = "" }, nil},
		{"username of 3 characters", func(u *User) { u.Username = "hoa" }, nil},
		{"username of 64 characters", func(u *User) { u.Username = strings.Repeat("h", 64) }, nil},
		{"username with digits, dot, underscore, dash", func(u *User) { u.Username = "2026_hoa-nt.vp" }, nil},

		{"username of 2 characters", func(u *User) { u.Username = "ht" }, []string{"username"}},
		{"username of 65 characters", func(u *User) { u.Username = strings.Repeat("h", 65) }, []string{"username"}},
		{"username empty", func(u *User) { u.Username = "" }, []string{"username"}},
		{"username in upper case", func(u *User) { u.Username = "Hoa.NT" }, []string{"username"}},
		{"username with diacritics", func(u *User) { u.Username = "hòa.nt" }, []string{"username"}},
		{"username starting with a dot", func(u *User) { u.Username = ".hoa.nt" }, []string{"username"}},
		{"username starting with a dash", func(u *User) { u.Username = "-hoant" }, []string{"username"}},
		{"username with a space", func(u *User) { u.Username = "hoa nt" }, []string{"username"}},
		{"username with @", func(u *User) { u.Username = "hoa@dongtan" }, []string{"username"}},

		{"name empty", func(u *User) { u.Name = "" }, []string{"name"}},
		{"name blank", func(u *User) { u.Name = " \t " }, []string{"name"}},
		{"name of 201 runes", func(u *User) { u.Name = strings.Repeat("ễ", 201) }, []string{"name"}},

		{"e-mail without @", func(u *User) { u.Email = "hoa.nt.dongtan.gov.vn" }, []string{"email"}},
		{"e-mail with a display name", func(u *User) { u.Email = "Nguyễn Thị Hoa <hoa.nt@dongtan.gov.vn>" }, []string{"email"}},
		{"e-mail in angle brackets", func(u *User) { u.Email = "<hoa.nt@dongtan.gov.vn>" }, []string{"email"}},
		{"e-mail with spaces around", func(u *User) { u.Email = " hoa.nt@dongtan.gov.vn " }, []string{"email"}},

		{"no tenant", func(u *User) { u.TenantID = "" }, []string{"tenant"}},
		{"everything wrong", func(u *User) { *u = User{Email: "hoa"} }, []string{"username", "name", "email", "tenant"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			u := hoa()
			tc.change(&u)
			checkFields(t, u.Validate(), tc.want...)
		})
	}
}

func TestPasswordPolicyCheck(t *testing.T) {
	t.Parallel()
	p := DefaultPasswordPolicy()
	tests := []struct {
		name     string
		username string
		password string
		want     PasswordProblem
	}{
		{"good", "hoa.nt", "Đông-Tân-2026", ""},
		{"good without username", "", "Đông-Tân-2026", ""},
		// Vietnamese letters count as letters: only digits and symbols besides them.
		{"diacritics are letters", "hoa.nt", "12345678-đ", ""},
		{"upper-case diacritics are letters", "hoa.nt", "2026/07/01Ặ", ""},

		// Length is counted in runes, not bytes: "Đông-Tân1" is 9 runes but 12 bytes.
		{"9 runes in 12 bytes is too short", "hoa.nt", "Đông-Tân1", PasswordTooShort},
		{"10 runes with diacritics is long enough", "hoa.nt", "Đông-Tân-1", ""},
		{"empty", "hoa.nt", "", PasswordTooShort},
		{"9 ASCII characters", "hoa.nt", "ab-12-cd3", PasswordTooShort},
		{"128 runes (384+ bytes) is not too long", "hoa.nt", strings.Repeat("Ệ", 120) + "abc12345", ""},
		{"129 runes is too long", "hoa.nt", strings.Repeat("Ệ", 121) + "abc12345", PasswordTooLong},

		{"contains the username", "hoa.nt", "hoa.nt-2026!", PasswordHasUsername},
		{"contains the username in another case", "hoa.nt", "Mk-HOA.NT-2026", PasswordHasUsername},

		{"common", "hoa.nt", "matkhau123", PasswordCommon},
		{"common in another case", "hoa.nt", "MatKhau123", PasswordCommon},
		{"common Vietnamese favourite", "hoa.nt", "anhyeuem123", PasswordCommon},

		{"letters only", "hoa.nt", "đôngtânthaibình", PasswordTooSimple},
		{"digits only", "hoa.nt", "2026202620", PasswordTooSimple},
		{"symbols only", "hoa.nt", "!@#$%^&*()", PasswordTooSimple},
		{"fewer than 5 distinct characters", "hoa.nt", "ab1ab1ab1ab1", PasswordTooSimple},
		{"exactly 5 distinct characters", "hoa.nt", "abc12abc12", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := p.Check(tc.username, tc.password); got != tc.want {
				t.Fatalf("Check(%q, %q) = %q, want %q", tc.username, tc.password, got, tc.want)
			}
		})
	}
}

func TestPasswordPolicyReason(t *testing.T) {
	t.Parallel()
	p := DefaultPasswordPolicy()
	if got, want := p.Reason(PasswordTooShort), "must be at least 10 characters"; got != want {
		t.Errorf("Reason(too_short) = %q, want %q", got, want)
	}
	if got, want := p.Reason(PasswordTooLong), "must be at most 128 characters"; got != want {
		t.Errorf("Reason(too_long) = %q, want %q", got, want)
	}
	// same_as_current is found by the app (it needs the stored hash), not by Check; its reason
	// still comes from here.
	for _, problem := range []PasswordProblem{PasswordTooSimple, PasswordHasUsername, PasswordCommon, PasswordSameAsBefore} {
		if p.Reason(problem) == "" {
			t.Errorf("Reason(%s) is empty", problem)
		}
	}
	if got := p.Reason("unknown"); got != "" {
		t.Errorf("Reason(unknown) = %q, want empty", got)
	}
}

func TestNormalizeRoles(t *testing.T) {
	t.Parallel()
	t.Run("sorts, trims and drops duplicates", func(t *testing.T) {
		t.Parallel()
		got, err := platform.NormalizeRoles("roles", []string{string(platform.RoleDossierReceive), " tenant.admin", string(platform.RoleDossierHandle), string(platform.RoleDossierReceive), "tenant.admin "})
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{string(platform.RoleDossierHandle), string(platform.RoleDossierReceive), string(platform.RoleTenantAdmin)}; !slices.Equal(got, want) {
			t.Fatalf("NormalizeRoles = %v, want %v", got, want)
		}
	})
	t.Run("empty set", func(t *testing.T) {
		t.Parallel()
		got, err := platform.NormalizeRoles("roles", nil)
		if err != nil || got == nil || len(got) != 0 {
			t.Fatalf("platform.NormalizeRoles(nil) = %#v, %v; want an empty, non-nil set", got, err)
		}
	})
	t.Run("unknown role names the field, the role and every known role", func(t *testing.T) {
		t.Parallel()
		_, err := platform.NormalizeRoles("client.roles", []string{string(platform.RoleDossierReceive), "chu.tich"})
		checkFields(t, err, "client.roles")
		reason := apperr.As(err).Fields[0].Reason
		if !strings.Contains(reason, `"chu.tich"`) {
			t.Errorf("reason %q does not name the unknown role", reason)
		}
		for _, r := range platform.Roles() {
			if !strings.Contains(reason, string(r.Name)) {
				t.Errorf("reason %q does not list the known role %s", reason, r.Name)
			}
		}
	})
	t.Run("empty role name", func(t *testing.T) {
		t.Parallel()
		_, err := platform.NormalizeRoles("roles", []string{"  "})
		checkFields(t, err, "roles")
	})
	t.Run("every listed role is known", func(t *testing.T) {
		t.Parallel()
		for _, r := range platform.Roles() {
			if !platform.KnownRole(string(r.Name)) || r.Description == "" {
				t.Errorf("role %s: known=%v description=%q", r.Name, platform.KnownRole(string(r.Name)), r.Description)
			}
		}
	})
}

func TestClientValidate(t *testing.T) {
	t.Parallel()
	dossiers := func() Client {
		return Client{ID: "dossiers", TenantID: "tinh-thai-binh-id", Name: "Một cửa điện tử", Type: ClientConfidential,
			RedirectURIs:           []string{"https://motcua.thaibinh.gov.vn/auth/callback"},
			PostLogoutRedirectURIs: []string{"https://motcua.thaibinh.gov.vn/"},
			BackchannelLogoutURI:   "https://motcua.thaibinh.gov.vn/auth/backchannel-logout",
			GrantTypes:             []string{GrantAuthorizationCode, GrantRefreshToken},
			Audiences:              []string{"records"}}
	}
	tests := []struct {
		name    string
		devMode bool
		change  func(*Client)
		want    []string
	}{
		{"confidential web client", false, func(*Client) {}, nil},
		{"machine client", false, func(c *Client) {
			c.GrantTypes, c.RedirectURIs, c.PostLogoutRedirectURIs, c.BackchannelLogoutURI = []string{GrantClientCredentials}, nil, nil, ""
		}, nil},
		{"public client with code grant", false, func(c *Client) { c.Type = ClientPublic }, nil},

		{"public client with client_credentials", false, func(c *Client) {
			c.Type, c.GrantTypes = ClientPublic, []string{GrantAuthorizationCode, GrantClientCredentials}
		}, []string{"grant_types"}},
		{"unknown type", false, func(c *Client) { c.Type = "native" }, []string{"type"}},
		{"unknown grant", false, func(c *Client) { c.GrantTypes = []string{GrantAuthorizationCode, "password"} }, []string{"grant_types"}},
		{"implicit grant", false, func(c *Client) { c.GrantTypes = []string{"implicit"} }, []string{"grant_types"}},
		{"no grant", false, func(c *Client) { c.GrantTypes = nil }, []string{"grant_types"}},
		{"code grant without redirect URI", false, func(c *Client) { c.RedirectURIs = nil }, []string{"redirect_uris"}},
		{"bad client id", false, func(c *Client) { c.ID = "Hồ Sơ" }, []string{"client_id"}},
		{"client id of one character", false, func(c *Client) { c.ID = "d" }, []string{"client_id"}},
		{"no name", false, func(c *Client) { c.Name = "" }, []string{"name"}},
		{"audience that is no client id", false, func(c *Client) { c.Audiences = []string{"Lưu trữ"} }, []string{"audiences"}},

		{"http redirect on localhost", false, func(c *Client) { c.RedirectURIs = []string{"http://localhost:8080/auth/callback"} }, nil},
		{"http redirect on 127.0.0.1", false, func(c *Client) { c.RedirectURIs = []string{"http://127.0.0.1:8080/auth/callback"} }, nil},
		{"http redirect on ::1", false, func(c *Client) { c.RedirectURIs = []string{"http://[::1]:8080/auth/callback"} }, nil},
		{"http redirect on another host", false, func(c *Client) { c.RedirectURIs = []string{"http://motcua.thaibinh.gov.vn/auth/callback"} }, []string{"redirect_uris"}},
		{"http redirect on a host named like localhost", false, func(c *Client) { c.RedirectURIs = []string{"http://localhost.thaibinh.gov.vn/cb"} }, []string{"redirect_uris"}},
		{"http redirect on another host in dev mode", true, func(c *Client) { c.RedirectURIs = []string{"http://motcua.egov.local/auth/callback"} }, nil},
		{"http post-logout URI on another host", false, func(c *Client) { c.PostLogoutRedirectURIs = []string{"http://motcua.thaibinh.gov.vn/"} }, []string{"post_logout_redirect_uris"}},
		{"http back-channel URI on another host", false, func(c *Client) { c.BackchannelLogoutURI = "http://motcua.thaibinh.gov.vn/bc" }, []string{"backchannel_logout_uri"}},
		{"http back-channel URI in dev mode", true, func(c *Client) { c.BackchannelLogoutURI = "http://dossiers.egov.svc:8080/bc" }, nil},
		// identity calls it itself, inside the cluster: a Service's name is enough, not a public host.
		{"http back-channel URI to a Service's short name", false, func(c *Client) { c.BackchannelLogoutURI = "http://reporting:8080/reports/auth/backchannel-logout" }, nil},
		{"http back-channel URI to a Service under .svc", false, func(c *Client) { c.BackchannelLogoutURI = "http://dossiers.egov.svc:8080/bc" }, nil},
		{"http back-channel URI to a Service under .svc.cluster.local", false, func(c *Client) { c.BackchannelLogoutURI = "http://hr.egov.svc.cluster.local:8080/bc" }, nil},
		{"http back-channel URI to an IP address", false, func(c *Client) { c.BackchannelLogoutURI = "http://10.96.0.12:8080/bc" }, []string{"backchannel_logout_uri"}},
		{"http back-channel URI to a host named like a Service", false, func(c *Client) { c.BackchannelLogoutURI = "http://hr.svc.evil.example/bc" }, []string{"backchannel_logout_uri"}},
		{"http back-channel URI with a fragment", false, func(c *Client) { c.BackchannelLogoutURI = "http://reporting:8080/bc#x" }, []string{"backchannel_logout_uri"}},
		{"http redirect to a Service's short name", false, func(c *Client) { c.RedirectURIs = []string{"http://reporting:8080/auth/callback"} }, []string{"redirect_uris"}},

		{"redirect with a fragment", false, func(c *Client) { c.RedirectURIs = []string{"https://motcua.thaibinh.gov.vn/cb#ket-qua"} }, []string{"redirect_uris"}},
		{"redirect with an empty fragment", false, func(c *Client) { c.RedirectURIs = []string{"https://motcua.thaibinh.gov.vn/cb#"} }, []string{"redirect_uris"}},
		{"fragment refused in dev mode too", true, func(c *Client) { c.RedirectURIs = []string{"http://localhost/cb#x"} }, []string{"redirect_uris"}},
		{"post-logout URI with a fragment", false, func(c *Client) { c.PostLogoutRedirectURIs = []string{"https://motcua.thaibinh.gov.vn/#trang-chu"} }, []string{"post_logout_redirect_uris"}},
		{"relative redirect", false, func(c *Client) { c.RedirectURIs = []string{"/auth/callback"} }, []string{"redirect_uris"}},
		{"redirect without host", false, func(c *Client) { c.RedirectURIs = []string{"https:///auth/callback"} }, []string{"redirect_uris"}},
		{"javascript redirect", true, func(c *Client) { c.RedirectURIs = []string{"javascript:alert(1)"} }, []string{"redirect_uris"}},
		{"ftp redirect", true, func(c *Client) { c.RedirectURIs = []string{"ftp://motcua.thaibinh.gov.vn/cb"} }, []string{"redirect_uris"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := dossiers()
			tc.change(&c)
			checkFields(t, c.Validate(tc.devMode), tc.want...)
		})
	}
}

func TestPredicates(t *testing.T) {
	t.Parallel()
	c := Client{GrantTypes: []string{GrantAuthorizationCode}}
	if !c.AllowsGrant(GrantAuthorizationCode) || c.AllowsGrant(GrantRefreshToken) {
		t.Fatalf("AllowsGrant wrong for %v", c.GrantTypes)
	}
	u := User{Roles: []string{string(platform.RoleDossierReceive)}}
	if !u.HasRole(platform.RoleDossierReceive) || u.HasRole(platform.RoleTenantAdmin) {
		t.Fatalf("HasRole wrong for %v", u.Roles)
	}
	now := time.Date(2026, 3, 2, 1, 30, 0, 0, time.UTC)
	s := Session{ExpiresAt: now.Add(time.Hour)}
	if !s.Active(now) || s.Active(now.Add(time.Hour)) {
		t.Fatal("Active wrong around ExpiresAt")
	}
	s.EndedAt = &now
	if s.Active(now) {
		t.Fatal("an ended session is active")
	}
}

// A unit's administrator manages a unit whose chain of parents holds their own unit; the chain is
// the unit first, so their own unit counts, and a sibling's or a parent's never does.
func TestManagesFollowsTheChainOfParents(t *testing.T) {
	province := Tenant{ID: "p"}
	district := Tenant{ID: "d", ParentID: "p"}
	commune := Tenant{ID: "c", ParentID: "d"}
	cases := []struct {
		admin string
		chain []Tenant
		want  bool
	}{
		{"c", []Tenant{commune, district, province}, true},
		{"d", []Tenant{commune, district, province}, true},
		{"p", []Tenant{commune, district, province}, true},
		{"c", []Tenant{district, province}, false},
		{"c", []Tenant{{ID: "c2", ParentID: "d"}, district, province}, false},
		{"d", []Tenant{province}, false},
	}
	for _, c := range cases {
		if got := Manages(c.admin, c.chain); got != c.want {
			t.Errorf("admin of %s over %s: %t, want %t", c.admin, c.chain[0].ID, got, c.want)
		}
	}
	for _, r := range []platform.Role{platform.RolePlatformAdmin, platform.RoleService} {
		if Grantable(string(r)) {
			t.Errorf("%s is grantable from a unit", r)
		}
	}
	for _, r := range []platform.Role{platform.RoleTenantAdmin, platform.RoleDossierReceive, platform.RoleReportView} {
		if !Grantable(string(r)) {
			t.Errorf("%s is not grantable from a unit", r)
		}
	}
}
