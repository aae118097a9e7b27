package objstore

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/minio/minio-go/v7"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"egov.vn/platform/libs/testenv"
)

func TestClientStreamsAndTracesAgainstRealMinIO(t *testing.T) {
	// Sets the global tracer provider: not parallel with other tests of this package.
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(propagation.TraceContext{})
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })

	srv := testenv.StartMinIO(t)
	c, err := New(Config{Endpoint: srv.Endpoint, AccessKey: srv.AccessKey, SecretKey: srv.SecretKey})
	if err != nil {
		t.Fatal(err)
	}
	ctx, span := tp.Tracer("test").Start(context.Background(), "archives.Upload")
	if err := c.MakeBucket(ctx, "xa-dong-tan", minio.MakeBucketOptions{}); err != nil {
		t.Fatal(err)
	}
	body := strings.Repeat("Công văn số 12/UBND. ", 1000)
	// Size -1: the client streams in parts without knowing the length, as uploads will.
	if _, err := c.PutObject(ctx, "xa-dong-tan", "cong-van/12.txt", strings.NewReader(body), -1, minio.PutObjectOptions{}); err != nil {
		t.Fatal(err)
	}
	obj, err := c.GetObject(ctx, "xa-dong-tan", "cong-van/12.txt", minio.GetObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(obj)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, []byte(body)) {
		t.Fatalf("read back %d bytes, want the %d written", len(got), len(body))
	}
	span.End()

	var children int
	for _, s := range exp.GetSpans() {
		if s.Parent.SpanID() == span.SpanContext().SpanID() {
			children++
			if s.SpanContext.TraceID() != span.SpanContext().TraceID() {
				t.Errorf("MinIO call %q is in another trace", s.Name)
			}
		}
	}
	if children < 3 {
		t.Fatalf("%d MinIO calls traced under the caller's span, want at least 3 (make bucket, put, get)", children)
	}

	if err := Probe(c)(context.Background()); err != nil {
		t.Fatalf("probe with MinIO up: %v", err)
	}
	bad, err := New(Config{Endpoint: srv.Endpoint, AccessKey: srv.AccessKey, SecretKey: "wrong-secret-key"})
	if err != nil {
		t.Fatal(err)
	}
	if err := Probe(bad)(context.Background()); err == nil {
		t.Fatal("probe with a wrong secret key reported ready")
	} else if strings.Contains(err.Error(), "wrong-secret-key") {
		t.Fatalf("probe error quotes the secret: %v", err)
	}
	srv.Stop()
	if err := Probe(c)(context.Background()); err == nil {
		t.Fatal("probe with MinIO stopped reported ready")
	}
}

func TestConfigNamesTheFieldAtFault(t *testing.T) {
	t.Parallel()
	cases := map[string]Config{
		"endpoint is empty":             {AccessKey: "a", SecretKey: "b"},
		"without a scheme":              {Endpoint: "http://127.0.0.1:9000", AccessKey: "a", SecretKey: "b"},
		"access key and secret key are": {Endpoint: "127.0.0.1:9000"},
	}
	for want, cfg := range cases {
		_, err := New(cfg)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("New(%+v): err = %v, want it to say %q", cfg, err, want)
		}
	}
}
