package httpapi_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/httpapi"
	"egov.vn/platform/libs/httpapi/page"
)

// bindTarget has the field kinds the services bind: text, numbers, flags, lists, nested objects
// and a time (a field with its own UnmarshalJSON).
type bindTarget struct {
	Name    string            `json:"name"`
	Version int               `json:"version"`
	Fee     int64             `json:"fee"`
	Share   float64           `json:"share"`
	Urgent  bool              `json:"urgent"`
	Tags    []string          `json:"tags"`
	Extra   map[string]string `json:"extra"`
	Steps   []struct {
		Name  string `json:"name"`
		Share int    `json:"share"`
	} `json:"steps"`
	Due *struct {
		At string `json:"at"`
	} `json:"due"`
}

func ginContext(method, target, body string) *gin.Context {
	c, _ := gin.CreateTestContext(httptest.NewRecorder())
	c.Request = httptest.NewRequest(method, target, strings.NewReader(body))
	return c
}

// checkMalformed fails unless err is a KindMalformed apperr: what a client sent cannot be read,
// a 400 with a message, never a 500.
func checkMalformed(t *testing.T, err error, input string) {
	t.Helper()
	var e *apperr.Error
	if !errors.As(err, &e) || e.Kind != apperr.KindMalformed || e.Message == "" {
		t.Fatalf("%q: got %T %v, want a malformed apperr with a message", input, err, err)
	}
}

// FuzzBindJSON: any body either binds or is a malformed apperr (400) with a message; a body that
// binds is exactly one JSON value with only known fields.
func FuzzBindJSON(f *testing.F) {
	for _, s := range []string{`{"name":"Đăng ký khai sinh","version":3,"fee":0,"share":0.5,"urgent":true,"tags":["a"],"extra":{"k":"v"},"steps":[{"name":"Tiếp nhận","share":10}],"due":{"at":"2026-01-01"}}`,
		`{}`, ``, `{"name":1}`, `{"nme":"x"}`, `{"version":1e3}`, `{"version":99999999999999999999}`, `{} {}`, `{"name":"x"`, `[1]`, `null`, `"s"`, `{"steps":[{"name":{}}]}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		var v bindTarget
		err := httpapi.BindJSON(ginContext(http.MethodPost, "/", body), &v)
		if err != nil {
			checkMalformed(t, err, body)
		}
	})
}

// FuzzParsePage: any limit and cursor in a query either give a page request within the bounds
// (a cursor with an id) or a malformed apperr naming the parameter; a cursor Encode made always
// comes back as it was.
func FuzzParsePage(f *testing.F) {
	f.Add("50", page.Encode(page.Cursor{SortKey: "2026-01-01T00:00:00Z", ID: "d1"}), "k", "id")
	f.Add("0", "e30", "", "")
	f.Add("201", "not base64!", "ngày", "Hồ sơ")
	f.Add("", "eyJrIjoiYSIsImlkIjoiYiIsIngiOjF9", "", "x")
	f.Fuzz(func(t *testing.T, limit, cursor, key, id string) {
		q := url.Values{}
		if limit != "" {
			q.Set("limit", limit)
		}
		q.Set("cursor", cursor)
		req, err := httpapi.ParsePage(ginContext(http.MethodGet, "/?"+q.Encode(), ""))
		if err != nil {
			checkMalformed(t, err, q.Encode())
		} else if req.Limit < 1 || req.Limit > page.MaxLimit || (req.After != nil && req.After.ID == "") || (cursor != "" && req.After == nil) {
			t.Fatalf("%s: page request %+v", q.Encode(), req)
		}
		if id == "" || !utf8.ValidString(key) || !utf8.ValidString(id) {
			return // JSON carries text only
		}
		c := page.Cursor{SortKey: key, ID: id}
		if back, err := page.Decode(page.Encode(c)); err != nil && len(page.Encode(c)) <= 1024 || err == nil && back != c {
			t.Fatalf("cursor %+v came back as %+v, %v", c, back, err)
		}
	})
}
