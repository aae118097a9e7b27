package telemetry

import (
	"context"
	"io"
	"net/http/httptest"
	"regexp"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

func TestMetricsHandlerServesRecordedCounter(t *testing.T) {
	tel, _ := setupInMemory(t)

	received, err := tel.Meter("egov.vn/platform/services/dossiers").Int64Counter("dossiers.received",
		metric.WithDescription("Dossiers handed in at the one-stop-shop desk."))
	if err != nil {
		t.Fatal(err)
	}
	tenant := metric.WithAttributes(attribute.String("tenant", "xa-dong-tan"))
	received.Add(context.Background(), 2, tenant)
	received.Add(context.Background(), 1, tenant)

	srv := httptest.NewServer(tel.MetricsHandler())
	t.Cleanup(srv.Close)
	resp, err := srv.Client().Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET /metrics = %d", resp.StatusCode)
	}

	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^# HELP dossiers_received_total Dossiers handed in at the one-stop-shop desk\.$`),
		regexp.MustCompile(`(?m)^dossiers_received_total\{[^}]*tenant="xa-dong-tan"[^}]*\} 3$`),
		// The resource travels as target_info, so a scrape says which service it came from.
		regexp.MustCompile(`(?m)^target_info\{[^}]*service_name="telemetry-test"[^}]*\} 1$`),
		regexp.MustCompile(`(?m)^go_goroutines `),
	} {
		if !want.Match(body) {
			t.Errorf("/metrics lacks %s:\n%s", want, body)
		}
	}

	// The registry is the Telemetry's own: nothing leaked into the process-wide default one.
	families, err := prometheus.DefaultGatherer.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() == "dossiers_received_total" {
			t.Error("dossiers_received_total registered in prometheus.DefaultRegisterer")
		}
	}
}
