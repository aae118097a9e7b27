package auth

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"

	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/web"
)

// TestUnitsListsTheTreeParentsFirst: a picker of units reads as the tree, each unit followed by
// those below it, siblings by name.
func TestUnitsListsTheTreeParentsFirst(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"tenants":[
			{"slug":"xa-dong-tan","name":"UBND xã Đông Tân","parent":"huyen-dong-son"},
			{"slug":"huyen-dong-son","name":"UBND huyện Đông Sơn"},
			{"slug":"xa-dong-anh","name":"UBND xã Đông Anh","parent":"huyen-dong-son"},
			{"slug":"thon-1","name":"Thôn 1","parent":"xa-dong-tan"}]}`))
	}))
	defer srv.Close()
	units, err := NewDirectory(srv.Client(), srv.URL).Units(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, u := range units {
		got = append(got, u.Slug)
	}
	want := []string{"huyen-dong-son", "xa-dong-anh", "xa-dong-tan", "thon-1"}
	if len(got) != len(want) {
		t.Fatalf("units %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("units %v, want %v", got, want)
		}
	}
}

// TestSetViewerNamesTheUnit: the header shows the person's name and role and their unit's name
// from the tree; without a tree, or for a unit it lacks, the header names no unit.
func TestSetViewerNamesTheUnit(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"tenants":[{"slug":"xa-dong-tan","name":"UBND xã Đông Tân"}]}`))
	}))
	defer srv.Close()
	dir := NewDirectory(srv.Client(), srv.URL)
	for _, tc := range []struct {
		dir    *Directory
		tenant string
		unit   string
	}{
		{dir, "xa-dong-tan", "UBND xã Đông Tân"},
		{dir, "xa-khong-co", ""},
		{nil, "xa-dong-tan", ""},
	} {
		c, _ := gin.CreateTestContext(httptest.NewRecorder())
		c.Request = httptest.NewRequest(http.MethodGet, "/archives/", nil)
		c.Set(actorKey, platform.Actor{Name: "Đỗ Thị Hương", Tenant: platform.Slug(tc.tenant)})
		SetViewer(c, tc.dir, "Văn thư, lưu trữ")
		v := web.ViewerFrom(c)
		if v == nil || v.Name != "Đỗ Thị Hương" || v.Role != "Văn thư, lưu trữ" || v.Tenant.Slug != tc.tenant || v.Tenant.Name != tc.unit {
			t.Errorf("for %s (tree %v) the header shows %+v, want the unit %q", tc.tenant, tc.dir != nil, v, tc.unit)
		}
	}
}
