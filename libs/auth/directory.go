package auth

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/web"
)

// Tenant is an administrative unit as identity's tenant tree shows it.
type Tenant struct {
	Slug     string `json:"slug"`
	Code     string `json:"code"`
	Name     string `json:"name"`
	Kind     string `json:"kind"`
	Parent   string `json:"parent,omitempty"`
	Disabled bool   `json:"disabled"`
}

// How fresh the tree is kept. Units are added by onboarding and almost never move, so a copy a
// few seconds old is right; an unknown slug refetches at once (a commune onboarded a moment ago),
// but such refetches come at most every missRefetch so a stream of bad slugs cannot hammer
// identity.
const (
	directoryTTL = 30 * time.Second
	missRefetch  = 2 * time.Second
	// staffTTL: an account made or a role granted shows in other services' pickers this soon.
	staffTTL = 10 * time.Second
)

// Person is one member of a unit's staff as identity's staff directory shows them: no
// e-mail, no secrets.
type Person struct {
	Subject  string   `json:"subject"` // the sub of their tokens
	Username string   `json:"username"`
	Name     string   `json:"name"`
	Roles    []string `json:"roles"`
	StaffID  string   `json:"staff_id,omitempty"` // the HR record the account is linked to
	Disabled bool     `json:"disabled"`           // only Accounts lists disabled accounts
}

// HasRole reports whether p holds role.
func (p Person) HasRole(role string) bool {
	for _, r := range p.Roles {
		if r == role {
			return true
		}
	}
	return false
}

type staffCopy struct {
	people  []Person
	fetched time.Time
}

// Directory is the tenant tree read from identity (GET <issuer>/api/v1/tenants, role service),
// kept for directoryTTL. Services use it to let a parent unit read its descendants' data. It is
// a read-through copy, not state the replicas must agree on: each replica refreshes on its own.
type Directory struct {
	client *http.Client
	url    string
	now    func() time.Time

	mu          sync.Mutex
	tenants     map[string]Tenant
	fetched     time.Time
	missFetched time.Time // the last refetch made for an unknown slug

	staffMu sync.Mutex
	staff   map[string]staffCopy
}

// NewDirectory reads the tree from url with client (which must add a bearer token).
func NewDirectory(client *http.Client, url string) *Directory {
	return &Directory{client: client, url: url, now: time.Now}
}

// Tenant returns one unit; apperr.NotFound when identity does not know it.
func (d *Directory) Tenant(ctx context.Context, slug string) (Tenant, error) {
	m, err := d.tree(ctx, slug)
	if err != nil {
		return Tenant{}, err
	}
	t, ok := m[slug]
	if !ok {
		return Tenant{}, apperr.NotFound("unit", slug)
	}
	return t, nil
}

// SetViewer shows the signed-in actor in the page shell's header: their name, role (as the page's
// language names it; "" for none) and their unit's name from dir. dir may be nil, or fail to name
// the unit: the header then shows no unit name, as the session left it.
func SetViewer(c *gin.Context, dir *Directory, role string) {
	a := ActorFrom(c)
	v := &web.Viewer{Name: a.Name, Role: role, Tenant: web.Tenant{Slug: string(a.Tenant)}}
	if dir != nil {
		if t, err := dir.Tenant(c.Request.Context(), string(a.Tenant)); err == nil {
			v.Tenant.Name = t.Name
		}
	}
	web.SetViewer(c, v)
}

// Within reports whether slug is ancestor itself or lies below it in the tree.
func (d *Directory) Within(ctx context.Context, ancestor, slug string) (bool, error) {
	if ancestor == slug {
		return true, nil
	}
	m, err := d.tree(ctx, slug)
	if err != nil {
		return false, err
	}
	for seen, cur := 0, m[slug].Parent; cur != "" && seen <= len(m); seen++ { // seen bounds a cycle
		if cur == ancestor {
			return true, nil
		}
		cur = m[cur].Parent
	}
	return false, nil
}

// Subtree returns slug and every unit below it, parents before children.
func (d *Directory) Subtree(ctx context.Context, slug string) ([]string, error) {
	m, err := d.tree(ctx, slug)
	if err != nil {
		return nil, err
	}
	if _, ok := m[slug]; !ok {
		return nil, apperr.NotFound("unit", slug)
	}
	children := map[string][]string{}
	for _, t := range m {
		children[t.Parent] = append(children[t.Parent], t.Slug)
	}
	out := []string{slug}
	for i := 0; i < len(out); i++ {
		out = append(out, children[out[i]]...)
	}
	return out, nil
}

// Children returns the units directly below slug.
func (d *Directory) Children(ctx context.Context, slug string) ([]Tenant, error) {
	m, err := d.tree(ctx, slug)
	if err != nil {
		return nil, err
	}
	var out []Tenant
	for _, t := range m {
		if t.Parent == slug {
			out = append(out, t)
		}
	}
	return out, nil
}

// Units returns every unit of the tree, parents before children and siblings by name: the choice
// of units a citizen is offered on a public page.
func (d *Directory) Units(ctx context.Context) ([]Tenant, error) {
	m, err := d.tree(ctx, "")
	if err != nil {
		return nil, err
	}
	children := map[string][]Tenant{}
	for _, t := range m {
		parent := t.Parent
		if _, ok := m[parent]; !ok {
			parent = "" // a unit whose parent is not in the tree is shown as a root
		}
		children[parent] = append(children[parent], t)
	}
	for _, c := range children {
		slices.SortFunc(c, func(a, b Tenant) int { return strings.Compare(a.Name, b.Name) })
	}
	out := append([]Tenant(nil), children[""]...)
	for i := 0; i < len(out); i++ {
		out = slices.Insert(out, i+1, children[out[i].Slug]...)
	}
	return out, nil
}

// tree returns the current copy, refetched when stale or when want is missing from it.
func (d *Directory) tree(ctx context.Context, want string) (map[string]Tenant, error) {
	d.mu.Lock()
	defer d.mu.Unlock() // one fetch at a time; the others wait for its result
	now := d.now()
	_, known := d.tenants[want]
	fresh := now.Sub(d.fetched) < directoryTTL
	if d.tenants != nil && fresh && (known || now.Sub(d.missFetched) < missRefetch) {
		return d.tenants, nil
	}
	if fresh && !known {
		d.missFetched = now
	}
	m, err := d.fetch(ctx)
	if err != nil {
		if d.tenants != nil && known {
			return d.tenants, nil // identity briefly away: a known unit's place in the tree stands
		}
		return nil, err
	}
	d.tenants, d.fetched = m, now
	return m, nil
}

func (d *Directory) fetch(ctx context.Context) (map[string]Tenant, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, d.url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := d.client.Do(req)
	if err != nil {
		return nil, apperr.Unavailable("identity's unit tree", err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return nil, apperr.Unavailable("identity's unit tree",
			fmt.Errorf("identity answered %d; the service's client needs the service role and the identity audience", resp.StatusCode))
	}
	var body struct {
		Tenants []Tenant `json:"tenants"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return nil, apperr.Unavailable("identity's unit tree", err)
	}
	m := make(map[string]Tenant, len(body.Tenants))
	for _, t := range body.Tenants {
		m[t.Slug] = t
	}
	return m, nil
}

// Staff returns the active people of unit slug (GET <issuer>/api/v1/tenants/<slug>/staff, role
// service), kept for staffTTL. When identity is briefly away, the last copy stands.
func (d *Directory) Staff(ctx context.Context, slug string) ([]Person, error) {
	d.staffMu.Lock()
	defer d.staffMu.Unlock()
	now := d.now()
	cached, ok := d.staff[slug]
	if ok && now.Sub(cached.fetched) < staffTTL {
		return cached.people, nil
	}
	people, err := d.fetchStaff(ctx, slug)
	if err != nil {
		if ok {
			return cached.people, nil
		}
		return nil, err
	}
	if d.staff == nil {
		d.staff = map[string]staffCopy{}
	}
	d.staff[slug] = staffCopy{people: people, fetched: now}
	return people, nil
}

// Accounts returns every account of unit slug, the disabled ones too, read from identity at each
// call (GET <issuer>/api/v1/tenants/<slug>/staff?accounts=all, role service): HR shows whether a
// person has an account and whether it is disabled, which must not lag behind a departure.
func (d *Directory) Accounts(ctx context.Context, slug string) ([]Person, error) {
	return d.fetchStaffQuery(ctx, slug, "?accounts=all")
}

func (d *Directory) fetchStaff(ctx context.Context, slug string) ([]Person, error) {
	return d.fetchStaffQuery(ctx, slug, "")
}

func (d *Directory) fetchStaffQuery(ctx context.Context, slug, query string) ([]Person, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, d.url+"/"+url.PathEscape(slug)+"/staff"+query, nil)
	if err != nil {
		return nil, err
	}
	resp, err := d.client.Do(req)
	if err != nil {
		return nil, apperr.Unavailable("identity's staff directory", err)
	}
	defer func() { _ = resp.Body.Close() }()
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound:
		return nil, apperr.NotFound("unit", slug)
	default:
		return nil, apperr.Unavailable("identity's staff directory",
			fmt.Errorf("identity answered %d; the service's client needs the service role and the identity audience", resp.StatusCode))
	}
	var body struct {
		Staff []Person `json:"staff"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return nil, apperr.Unavailable("identity's staff directory", err)
	}
	return body.Staff, nil
}
