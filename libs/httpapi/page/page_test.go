package page_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"testing"

	"egov.vn/platform/libs/httpapi/page"
)

func TestCursorRoundTrip(t *testing.T) {
	t.Parallel()
	in := page.Cursor{SortKey: "2025-07-01T08:00:00.123456Z", ID: "hs-ü/+=&?"}
	s := page.Encode(in)
	for _, r := range s {
		if r == '+' || r == '/' || r == '=' {
			t.Fatalf("cursor %q is not URL-safe", s)
		}
	}
	out, err := page.Decode(s)
	if err != nil || out != in {
		t.Fatalf("Decode(Encode(c)) = %+v, %v; want %+v", out, err, in)
	}
}

func TestDecodeRejectsForeignInput(t *testing.T) {
	t.Parallel()
	b64 := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	for name, s := range map[string]string{
		"not base64":    "***",
		"not json":      b64("hello"),
		"unknown field": b64(`{"k":"a","id":"1","admin":true}`),
		"missing id":    b64(`{"k":"a"}`),
		"trailing":      b64(`{"k":"a","id":"1"}{}`),
		"array":         b64(`["a","1"]`),
	} {
		if _, err := page.Decode(s); !errors.Is(err, page.ErrMalformedCursor) {
			t.Errorf("%s: Decode(%q) err = %v, want ErrMalformedCursor", name, s, err)
		}
	}
}

func TestNewTrimsProbeRowAndPointsAfterLastKept(t *testing.T) {
	t.Parallel()
	cursorOf := func(n int) page.Cursor { return page.Cursor{ID: string(rune('a' + n))} }

	p := page.New([]int{0, 1, 2}, 2, cursorOf)
	if len(p.Items) != 2 || p.NextCursor == "" {
		t.Fatalf("page = %+v", p)
	}
	c, err := page.Decode(p.NextCursor)
	if err != nil || c.ID != "b" {
		t.Fatalf("next cursor = %+v, %v; want after item 1", c, err)
	}

	last := page.New([]int{0, 1}, 2, cursorOf)
	if last.NextCursor != "" {
		t.Fatalf("last page has next cursor %q", last.NextCursor)
	}
	empty, _ := json.Marshal(page.New[int](nil, 2, cursorOf))
	if string(empty) != `{"items":[]}` {
		t.Fatalf("empty page JSON = %s", empty)
	}
}
