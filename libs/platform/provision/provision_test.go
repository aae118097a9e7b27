package provision_test

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/platform/provision"
)

// unit is a service's side as a service writes it: it keeps what it was given.
type unit struct {
	got map[platform.Slug]platform.Provisioning
}

func (u *unit) Provision(_ context.Context, _ platform.Actor, slug platform.Slug, p platform.Provisioning) (platform.Provisioned, error) {
	_, seen := u.got[slug]
	u.got[slug] = p
	return platform.Provisioned{Created: !seen, Seeded: map[string]int{"procedures": 25}}, nil
}

// TestHandlerAndClientAgree: the client the operator uses and the handler every service mounts
// speak the same contract, and a bad request comes back as the typed error naming the field.
func TestHandlerAndClientAgree(t *testing.T) {
	gin.SetMode(gin.TestMode)
	u := &unit{got: map[platform.Slug]platform.Provisioning{}}
	r := gin.New()
	r.PUT("/dossiers/api/v1"+platform.ProvisioningRoute, provision.Handler(u))
	srv := httptest.NewServer(r)
	defer srv.Close()
	ctx := context.Background()
	base := srv.URL + "/dossiers"
	p := platform.Provisioning{Code: "12700", Name: "UBND xã Đông Tân", Kind: platform.KindCommune, Parent: "huyen-dong-hung"}

	for i, created := range []bool{true, false} {
		out, err := provision.Put(ctx, srv.Client(), "dossiers", base, "xa-dong-tan", p)
		if err != nil {
			t.Fatalf("call %d: %v", i+1, err)
		}
		if out.Tenant != "xa-dong-tan" || out.Created != created || out.Seeded["procedures"] != 25 {
			t.Errorf("call %d: answer %+v", i+1, out)
		}
	}
	if u.got["xa-dong-tan"] != p {
		t.Errorf("the service got %+v, want %+v", u.got["xa-dong-tan"], p)
	}

	_, err := provision.Put(ctx, srv.Client(), "dossiers", base, "xa-dong-tan", platform.Provisioning{Code: "1", Kind: "village"})
	e := apperr.As(err)
	if e == nil || e.Kind != apperr.KindInvalid || len(e.Fields) != 3 {
		t.Fatalf("bad body: %v, want invalid code, name and kind", err)
	}
	if _, err := provision.Put(ctx, srv.Client(), "dossiers", base, "Xa_Dong_Tan", p); apperr.KindOf(err) != apperr.KindInvalid {
		t.Errorf("bad slug: %v, want invalid", err)
	}
}

// TestHandlerNamesEveryFieldAtOnce: a bad slug and a bad body are reported together, so the
// operator's log says everything to fix in one attempt.
func TestHandlerNamesEveryFieldAtOnce(t *testing.T) {
	gin.SetMode(gin.TestMode)
	r := gin.New()
	r.PUT("/hr/api/v1"+platform.ProvisioningRoute, provision.Handler(&unit{got: map[platform.Slug]platform.Provisioning{}}))
	srv := httptest.NewServer(r)
	defer srv.Close()
	_, err := provision.Put(context.Background(), srv.Client(), "hr", srv.URL+"/hr", "Bad_Slug", platform.Provisioning{Name: "x"})
	e := apperr.As(err)
	if e == nil || e.Kind != apperr.KindInvalid || len(e.Fields) != 3 || e.Fields[0].Field != "slug" {
		t.Fatalf("%v, want slug, code and kind named", err)
	}
}
