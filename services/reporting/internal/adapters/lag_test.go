package adapters_test

import (
	"context"
	"testing"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"egov.vn/platform/libs/bootstrap"
	"egov.vn/platform/libs/store/storetest"
	"egov.vn/platform/services/reporting/internal/adapters"
)

// lag reads the reporting.consumer.lag gauge.
func lag(t *testing.T, r *sdkmetric.ManualReader) (int64, bool) {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := r.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if g, ok := m.Data.(metricdata.Gauge[int64]); ok && m.Name == "reporting.consumer.lag" && len(g.DataPoints) == 1 {
				return g.DataPoints[0].Value, true
			}
		}
	}
	return 0, false
}

// TestLagMetric: the gauge shows the events waiting for the consumer, and zero once it caught up.
func TestLagMetric(t *testing.T) {
	db := migrated(t, storetest.SQLite(t))
	js := jetStream(t)
	reader := sdkmetric.NewManualReader()
	meter := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader)).Meter("test")
	if err := adapters.RegisterLag(meter, js, bootstrap.Stream, durable); err != nil {
		t.Fatal(err)
	}
	if _, ok := lag(t, reader); ok {
		t.Fatal("a lag is reported before the consumer exists")
	}
	stop := runIngest(t, db, js, 100)
	waitCaughtUp(t, js)
	stop() // the consumer exists, stopped
	h := generate(3, communes, 20)
	evts := publishEvents(t, js, h, false)
	if got, ok := lag(t, reader); !ok || got != int64(len(evts)) {
		t.Fatalf("lag with the consumer stopped = %d (%v), want %d", got, ok, len(evts))
	}
	stop = runIngest(t, db, js, 100)
	waitCaughtUp(t, js)
	stop()
	if got, _ := lag(t, reader); got != 0 {
		t.Fatalf("lag after catching up = %d, want 0", got)
	}
}
