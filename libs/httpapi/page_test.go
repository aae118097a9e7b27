package httpapi_test

import (
	"net/url"
	"slices"
	"strconv"
	"testing"

	"github.com/gin-gonic/gin"

	"egov.vn/platform/libs/httpapi"
	"egov.vn/platform/libs/httpapi/page"
)

// listRoutes serves ids 1..n in order, the way a repository would with keyset pagination.
func listRoutes(n int) func(*gin.Engine) {
	return func(e *gin.Engine) {
		e.GET("/dossiers", func(c *gin.Context) {
			req, err := httpapi.ParsePage(c)
			if err != nil {
				httpapi.RespondError(c, err)
				return
			}
			after := 0
			if req.After != nil {
				after, _ = strconv.Atoi(req.After.ID)
			}
			var rows []int
			for id := after + 1; id <= n && len(rows) < req.Limit+1; id++ {
				rows = append(rows, id)
			}
			c.JSON(200, page.New(rows, req.Limit, func(id int) page.Cursor {
				return page.Cursor{ID: strconv.Itoa(id)}
			}))
		})
	}
}

func TestPaginationWalksAllPages(t *testing.T) {
	t.Parallel()
	srv, _ := newServer(t, httpapi.Options{}, listRoutes(5))

	var all []int
	next := ""
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatal("pagination does not terminate")
		}
		q := url.Values{"limit": {"2"}}
		if next != "" {
			q.Set("cursor", next)
		}
		r := get(t, srv.URL+"/dossiers?"+q.Encode())
		if r.status != 200 {
			t.Fatalf("status %d: %s", r.status, r.raw)
		}
		for _, v := range r.body["items"].([]any) {
			all = append(all, int(v.(float64)))
		}
		cur, has := r.body["next_cursor"].(string)
		if !has {
			break
		}
		next = cur
	}
	if !slices.Equal(all, []int{1, 2, 3, 4, 5}) {
		t.Fatalf("walked %v", all)
	}

	if r := get(t, srv.URL+"/dossiers"); len(r.body["items"].([]any)) != 5 {
		t.Fatalf("default limit page = %s", r.raw)
	}
}

func TestBadPageParametersAre400NamingTheParameter(t *testing.T) {
	t.Parallel()
	srv, _ := newServer(t, httpapi.Options{}, listRoutes(3))
	for query, field := range map[string]string{
		"limit=abc":         "limit",
		"limit=0":           "limit",
		"limit=201":         "limit",
		"limit=-1":          "limit",
		"cursor=%21%21%21":  "cursor",
		"cursor=eyJ4IjoxfQ": "cursor", // {"x":1}
	} {
		r := get(t, srv.URL+"/dossiers?"+query)
		assertProblem(t, r, 400, "bad_request")
		if _, ok := fields(r)[field]; !ok || len(fields(r)) != 1 {
			t.Errorf("%s: fields = %v, want only %q", query, fields(r), field)
		}
	}
	if r := get(t, srv.URL+"/dossiers?limit=200"); r.status != 200 {
		t.Fatalf("limit=200 rejected: %s", r.raw)
	}
}
