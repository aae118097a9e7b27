package app_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace/noop"
	"gorm.io/gorm"

	"egov.vn/platform/libs/events"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/sheet"
	"egov.vn/platform/services/hr/internal/adapters"
	"egov.vn/platform/services/hr/internal/app"
	"egov.vn/platform/services/hr/internal/domain"
)

func newApp(t testing.TB, db *gorm.DB) *app.App {
	t.Helper()
	if err := adapters.Migrate(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	return app.New(app.Deps{Repo: adapters.NewStore(db, events.NewOutbox(nil)),
		Tracer: noop.NewTracerProvider().Tracer("hr-test")})
}

// officer returns an HR officer of tenant, whose units are provisioned, and the context with
// their scope (app.Scope).
func officer(t testing.TB, a *app.App, tenant string) (context.Context, platform.Actor) {
	t.Helper()
	ctx := context.Background()
	operator := platform.Actor{Subject: "operator", Roles: []platform.Role{platform.RolePlatformAdmin}}
	if _, err := a.Provision(ctx, operator, platform.Slug(tenant),
		platform.Provisioning{Code: "12700", Name: "UBND " + tenant, Kind: platform.KindCommune, Parent: "huyen-dong-hung"}); err != nil {
		t.Fatal(err)
	}
	actor := platform.Actor{Subject: "officer-" + tenant, Tenant: platform.Slug(tenant), Roles: []platform.Role{platform.RoleHROfficer}}
	ctx, err := a.Scope(ctx, actor)
	if err != nil {
		t.Fatal(err)
	}
	return ctx, actor
}

var (
	families = []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô"}
	middles  = []string{"Văn", "Thị", "Đức", "Minh", "Thu", "Quang", "Ngọc", "Hữu"}
	givens   = []string{"An", "Bình", "Cường", "Dung", "Giang", "Hà", "Hùng", "Lan", "Mai", "Nam", "Phương", "Sơn", "Tâm", "Thảo", "Việt", "Yến"}
	units    = []string{"VP", "KT", "VHXH", "TTPVHCC"}
	cats     = []domain.Category{domain.CanBo, domain.CongChuc, domain.CongChuc, domain.VienChuc, domain.HopDong}
)

// staffRows makes n valid staff rows in the import's columns, as Export writes them. Each has a
// distinct CCCD that agrees with the date of birth and gender.
func staffRows(n int) [][]string {
	rows := make([][]string, n)
	for i := range rows {
		year := 1965 + i%40
		gender := domain.Male
		if i%2 == 1 {
			gender = domain.Female
		}
		digit := (year-1900)/100*2 + i%2
		born := time.Date(year, time.Month(1+i%12), 1+i%28, 0, 0, 0, 0, time.UTC)
		cccd := fmt.Sprintf("034%d%02d%06d", digit, year%100, i)
		step := ""
		if i%5 != 4 {
			step = fmt.Sprint(1 + i%9)
		}
		rows[i] = []string{
			fmt.Sprintf("%s %s %s", families[i%len(families)], middles[i/7%len(middles)], givens[i/3%len(givens)]),
			domain.FormatDate(born), gender.Label(), cccd, cats[i%len(cats)].Label(),
			fmt.Sprintf("09%08d", i), fmt.Sprintf("canbo%05d@dongtan.gov.vn", i), fmt.Sprintf("Thôn %d, xã Đông Tân", 1+i%9),
			units[i%len(units)], "Chuyên viên", "01.003", step, domain.FormatDate(time.Date(2025, 7, 1+i%28, 0, 0, 0, 0, time.UTC)),
		}
	}
	return rows
}

func writeSheet(t testing.TB, format sheet.Format, header []string, rows [][]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := sheet.NewWriter(format, &buf, sheet.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Header(header...); err != nil {
		t.Fatal(err)
	}
	for _, row := range rows {
		if err := w.Strings(row); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func readSheet(t testing.TB, format sheet.Format, data []byte) ([]string, [][]string) {
	t.Helper()
	var rows [][]string
	header, err := sheet.Read(format, bytes.NewReader(data), func(_ int, cells []string) error {
		rows = append(rows, cells)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return header, rows
}
