package telemetry

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"go.opentelemetry.io/contrib/instrumentation/github.com/gin-gonic/gin/otelgin"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/trace"
	"gorm.io/gorm"
	"gorm.io/plugin/opentelemetry/tracing"
)

// The instrumentation below uses the global providers and propagator that Setup installs. The
// globals delegate, so middleware built before Setup still reports to the providers set later.

// GinMiddleware starts a server span for every request, continuing the caller's trace from the
// W3C headers, and records the HTTP server metrics. service names the server (e.g. "dossiers").
// Health and metrics probes are left untraced: they would bury real requests in noise.
func GinMiddleware(service string) gin.HandlerFunc {
	return otelgin.Middleware(service, otelgin.WithGinFilter(func(c *gin.Context) bool {
		switch c.Request.URL.Path {
		case "/healthz", "/readyz", "/livez", "/metrics":
			return false
		}
		return true
	}))
}

// Transport wraps rt (http.DefaultTransport when nil) so every outgoing request makes a client
// span and carries the trace context to the server it calls.
func Transport(rt http.RoundTripper) http.RoundTripper {
	if rt == nil {
		rt = http.DefaultTransport
	}
	return otelhttp.NewTransport(rt)
}

// HTTPClient returns a copy of base (a zero client when nil) whose transport is traced with
// Transport; base itself is not changed. Requests must carry the caller's context
// (http.NewRequestWithContext) for the span to join its trace.
func HTTPClient(base *http.Client) *http.Client {
	var c http.Client
	if base != nil {
		c = *base
	}
	c.Transport = Transport(c.Transport)
	return &c
}

// GormPlugin returns the gorm tracing plugin: a client span per statement, named after the
// operation and table, with the SQL text but without the bound values (they hold personal data
// and credentials). It also reports the connection-pool gauges (go.sql.connections_*), which
// cost nothing until scraped. Register it once per *gorm.DB (store.Open does):
// db.Use(telemetry.GormPlugin(nil)). A nil provider means the global one that Setup installs.
func GormPlugin(tp trace.TracerProvider) gorm.Plugin {
	opts := []tracing.Option{tracing.WithoutQueryVariables()}
	if tp != nil {
		opts = append(opts, tracing.WithTracerProvider(tp))
	}
	return tracing.NewPlugin(opts...)
}
