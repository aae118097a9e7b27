package auth

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
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
