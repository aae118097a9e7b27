package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace/noop"

	"egov.vn/platform/libs/events"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/store"
	"egov.vn/platform/libs/store/storetest"
	"egov.vn/platform/services/dossiers/internal/adapters"
	"egov.vn/platform/services/dossiers/internal/app"
	"egov.vn/platform/services/dossiers/internal/domain"
)

// Two replicas of the service on one database: what one keeps of a unit's settings and
// catalogue, and when an edit shows.
func TestUnitCacheAcrossReplicas(t *testing.T) {
	t.Parallel()
	db := storetest.SQLite(t)
	ctx := context.Background()
	if err := adapters.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	replica := func(ttl time.Duration) *app.App {
		cfg := app.DefaultConfig()
		cfg.UnitCacheTTL = ttl
		return app.New(app.Deps{Store: adapters.NewStore(db, events.NewOutbox(nil)), Tracer: noop.NewTracerProvider().Tracer("test")}, cfg)
	}
	keeps, fresh := replica(time.Hour), replica(0)
	const tenant = "xa-dong-tan"
	if _, err := keeps.Provision(ctx, platform.Actor{}, platform.Slug(tenant), platform.Provisioning{Code: "12700", Name: "UBND xã Đông Tân", Kind: platform.KindCommune, Parent: "huyen-dong-hung"}); err != nil {
		t.Fatal(err)
	}
	scoped := store.WithScope(ctx, store.Scope{Tenant: tenant})
	admin := platform.Actor{Subject: "admin", Tenant: platform.Slug(tenant), Roles: []platform.Role{platform.RoleTenantAdmin, platform.RoleDossierReceive}}
	p := app.ShippedCatalogue()[0]
	var docs []domain.ReceivedDocument
	for _, d := range p.Documents {
		docs = append(docs, domain.ReceivedDocument{Name: d.Name, Kind: d.Kind, Count: d.Count})
	}
	receive := func(s *app.App) *domain.Dossier {
		t.Helper()
		d, err := s.Intake(scoped, admin, app.IntakeRequest{ProcedureCode: p.Code, Documents: docs,
			Applicant: domain.Applicant{Name: "Trần Văn Nam", IDNumber: "034090001234", Phone: "0912345678", Address: "Đông Tân"}})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	receive(keeps) // loads the unit into the replica's cache

	// An edit through the other replica: the keeping replica goes on with what it read, for at
	// most its TTL; the replica that keeps nothing sees the edit at once.
	if err := fresh.UpdateSettings(scoped, admin, domain.DefaultOfficeHours, "UBDT1", domain.DefaultReceiptPattern); err != nil {
		t.Fatal(err)
	}
	if d := receive(keeps); strings.HasPrefix(d.ReceiptCode, "UBDT1-") {
		t.Fatalf("the replica keeping the unit for an hour saw another replica's edit at once: %s", d.ReceiptCode)
	}
	if d := receive(fresh); !strings.HasPrefix(d.ReceiptCode, "UBDT1-") {
		t.Fatalf("receipt code %s, want the new unit code UBDT1", d.ReceiptCode)
	}

	// An edit through the keeping replica itself shows there at once, and so does a procedure
	// it changes or removes.
	if err := keeps.UpdateSettings(scoped, admin, domain.DefaultOfficeHours, "UBDT2", domain.DefaultReceiptPattern); err != nil {
		t.Fatal(err)
	}
	if d := receive(keeps); !strings.HasPrefix(d.ReceiptCode, "UBDT2-") {
		t.Fatalf("receipt code %s after this replica's own edit, want UBDT2", d.ReceiptCode)
	}
	changed := p
	changed.Fee = p.Fee + 5000
	if _, err := keeps.SaveProcedure(scoped, admin, changed); err != nil {
		t.Fatal(err)
	}
	if d := receive(keeps); d.Fee != changed.Fee {
		t.Fatalf("fee %d after the procedure was edited, want %d", d.Fee, changed.Fee)
	}
	if err := keeps.DeleteProcedure(scoped, admin, p.Code); err != nil {
		t.Fatal(err)
	}
	if _, err := keeps.Intake(scoped, admin, app.IntakeRequest{ProcedureCode: p.Code, Documents: docs,
		Applicant: domain.Applicant{Name: "Trần Văn Nam", IDNumber: "034090001234", Phone: "0912345678", Address: "Đông Tân"}}); err == nil {
		t.Fatal("a removed procedure still received a dossier")
	}
}
