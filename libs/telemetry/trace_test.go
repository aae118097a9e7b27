package telemetry

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nuid"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"egov.vn/platform/libs/testenv"
)

// setupInMemory runs Setup with no OTLP endpoint and an in-memory exporter. Setup replaces the
// process's global providers, so tests using it do not run in parallel.
func setupInMemory(t *testing.T, opts ...Option) (*Telemetry, *tracetest.InMemoryExporter) {
	t.Helper()
	clearOTLPEnv(t)
	exp := tracetest.NewInMemoryExporter()
	tel, err := Setup(context.Background(), "telemetry-test", append(opts, WithSpanExporter(exp))...)
	if err != nil {
		t.Fatalf("Setup: %v", err)
	}
	t.Cleanup(func() { _ = tel.Shutdown(context.Background()) })
	return tel, exp
}

// clearOTLPEnv makes sure the developer's or CI's own OTEL_* settings cannot send test
// telemetry anywhere.
func clearOTLPEnv(t *testing.T) {
	t.Helper()
	for _, k := range []string{
		"OTEL_SDK_DISABLED", "OTEL_SERVICE_NAME", "OTEL_RESOURCE_ATTRIBUTES",
		"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
		"OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "OTEL_EXPORTER_OTLP_PROTOCOL",
		"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL",
		"OTEL_TRACES_EXPORTER", "OTEL_METRICS_EXPORTER", "OTEL_TRACES_SAMPLER",
	} {
		t.Setenv(k, "")
	}
}

// One user action crossing two gin services over HTTP and then NATS must be one trace:
// A's server span → A's client span → B's server span → B's producer span → the consumer span.
func TestOneTraceAcrossHTTPAndNATS(t *testing.T) {
	tel, exp := setupInMemory(t)
	gin.SetMode(gin.TestMode)

	nc, err := nats.Connect(testenv.NATS(t))
	if err != nil {
		t.Fatalf("connect NATS: %v", err)
	}
	t.Cleanup(nc.Close)

	subject := "egov.test.telemetry." + nuid.Next()
	processed := make(chan trace.SpanContext, 1)
	sub, err := nc.Subscribe(subject, func(msg *nats.Msg) {
		_, span := StartConsumerSpan(context.Background(), msg)
		sc := span.SpanContext()
		span.End()
		processed <- sc
	})
	if err != nil {
		t.Fatalf("subscribe: %v", err)
	}
	t.Cleanup(func() { _ = sub.Unsubscribe() })
	// Flush makes the server know the subscription before anything is published.
	if err := nc.Flush(); err != nil {
		t.Fatalf("flush: %v", err)
	}

	b := gin.New()
	b.Use(GinMiddleware("service-b"))
	b.GET("/b", func(c *gin.Context) {
		msg := nats.NewMsg(subject)
		msg.Data = []byte(`{"id":"1"}`)
		_, span := StartProducerSpan(c.Request.Context(), msg)
		err := nc.PublishMsg(msg)
		End(span, &err)
		if err != nil {
			c.AbortWithStatus(http.StatusBadGateway)
			return
		}
		c.String(http.StatusOK, "published")
	})
	srvB := httptest.NewServer(b)
	t.Cleanup(srvB.Close)

	client := HTTPClient(nil)
	a := gin.New()
	a.Use(GinMiddleware("service-a"))
	a.GET("/a", func(c *gin.Context) {
		req, err := http.NewRequestWithContext(c.Request.Context(), http.MethodGet, srvB.URL+"/b", nil)
		if err != nil {
			c.AbortWithStatus(http.StatusInternalServerError)
			return
		}
		resp, err := client.Do(req)
		if err != nil {
			c.AbortWithStatus(http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		c.String(resp.StatusCode, string(body))
	})
	srvA := httptest.NewServer(a)
	t.Cleanup(srvA.Close)

	// A plain client: the trace starts at service A.
	resp, err := http.Get(srvA.URL + "/a")
	if err != nil {
		t.Fatalf("GET /a: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(body) != "published" {
		t.Fatalf("GET /a = %d %q, want 200 \"published\"", resp.StatusCode, body)
	}

	var consumer trace.SpanContext
	select {
	case consumer = <-processed:
	case <-time.After(30 * time.Second): // a guard against hanging, not a measurement
		t.Fatal("the NATS message never reached the subscriber")
	}
	if err := tel.ForceFlush(context.Background()); err != nil {
		t.Fatalf("ForceFlush: %v", err)
	}

	spans := exp.GetSpans()
	if len(spans) != 5 {
		for _, s := range spans {
			t.Logf("span %q kind=%v parent=%s", s.Name, s.SpanKind, s.Parent.SpanID())
		}
		t.Fatalf("got %d spans, want 5", len(spans))
	}
	find := func(kind trace.SpanKind, name string) tracetest.SpanStub {
		t.Helper()
		for _, s := range spans {
			if s.SpanKind == kind && s.Name == name {
				return s
			}
		}
		t.Fatalf("no %v span named %q", kind, name)
		return tracetest.SpanStub{}
	}
	serverA := find(trace.SpanKindServer, "GET /a")
	clientA := find(trace.SpanKindClient, "HTTP GET")
	serverB := find(trace.SpanKindServer, "GET /b")
	producer := find(trace.SpanKindProducer, "send "+subject)
	consumerSpan := find(trace.SpanKindConsumer, "process "+subject)

	traceID := serverA.SpanContext.TraceID()
	for _, s := range spans {
		if s.SpanContext.TraceID() != traceID {
			t.Errorf("span %q has trace %s, want %s", s.Name, s.SpanContext.TraceID(), traceID)
		}
	}
	if consumerSpan.SpanContext.SpanID() != consumer.SpanID() {
		t.Errorf("exported consumer span %s is not the one the subscriber started (%s)",
			consumerSpan.SpanContext.SpanID(), consumer.SpanID())
	}
	if serverA.Parent.IsValid() {
		t.Errorf("service A's span has parent %s, want a root span", serverA.Parent.SpanID())
	}
	chain := []struct {
		child, parent tracetest.SpanStub
		remote        bool
	}{
		{clientA, serverA, false},
		{serverB, clientA, true},
		{producer, serverB, false},
		{consumerSpan, producer, true},
	}
	for _, l := range chain {
		if l.child.Parent.SpanID() != l.parent.SpanContext.SpanID() {
			t.Errorf("%q has parent %s, want %q (%s)", l.child.Name, l.child.Parent.SpanID(),
				l.parent.Name, l.parent.SpanContext.SpanID())
		}
		if l.child.Parent.IsRemote() != l.remote {
			t.Errorf("%q: parent remote = %v, want %v", l.child.Name, l.child.Parent.IsRemote(), l.remote)
		}
	}
	if got := attr(consumerSpan, "messaging.system"); got != "nats" {
		t.Errorf("consumer messaging.system = %q, want nats", got)
	}
	if got := attr(serverB, "http.route"); got != "/b" {
		t.Errorf("service B http.route = %q, want /b", got)
	}
}

func attr(s tracetest.SpanStub, key string) string {
	for _, kv := range s.Attributes {
		if string(kv.Key) == key {
			return kv.Value.String()
		}
	}
	return ""
}
