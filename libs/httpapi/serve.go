package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// DefaultDrainTimeout fits inside Kubernetes' default 30 s termination grace period.
const DefaultDrainTimeout = 20 * time.Second

// NewServer returns an http.Server for h with timeouts that stop slow-header clients from
// holding connections. ReadTimeout and WriteTimeout stay 0 because they would cut off large
// uploads and downloads of archive records; handlers that need a deadline set one themselves.
func NewServer(addr string, h http.Handler) *http.Server {
	srv := &http.Server{Addr: addr, Handler: h}
	setServerDefaults(srv)
	return srv
}

func setServerDefaults(srv *http.Server) {
	if srv.ReadHeaderTimeout == 0 {
		srv.ReadHeaderTimeout = 10 * time.Second
	}
	if srv.IdleTimeout == 0 {
		srv.IdleTimeout = 120 * time.Second
	}
	if srv.MaxHeaderBytes == 0 {
		srv.MaxHeaderBytes = 1 << 20
	}
}

// Serve listens on srv.Addr and serves until ctx is cancelled or the process gets SIGINT or
// SIGTERM, then stops accepting, lets in-flight requests finish for up to drain (0 means
// DefaultDrainTimeout) and returns. It returns nil after a clean drain, the listen error if the
// server could not start, or an error if draining timed out (remaining connections are closed).
func Serve(ctx context.Context, srv *http.Server, drain time.Duration) error {
	addr := srv.Addr
	if addr == "" {
		addr = ":http"
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", addr, err)
	}
	return ServeListener(ctx, srv, ln, drain)
}

// ServeListener is Serve on an existing listener (tests, socket activation). It takes ownership
// of ln.
func ServeListener(ctx context.Context, srv *http.Server, ln net.Listener, drain time.Duration) error {
	if drain <= 0 {
		drain = DefaultDrainTimeout
	}
	setServerDefaults(srv)
	stopCtx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err) // Serve only returns early on failure
	case <-stopCtx.Done():
	}

	// Request contexts do not derive from ctx, so cancelling ctx does not abort in-flight
	// requests; Shutdown waits for them. The drain deadline must not inherit ctx's cancellation.
	drainCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), drain)
	defer cancel()
	shutdownErr := srv.Shutdown(drainCtx)
	if shutdownErr != nil {
		_ = srv.Close() // drain timed out: cut the remaining connections
	}
	serveErr := <-served
	if shutdownErr != nil {
		return fmt.Errorf("drain: %w", shutdownErr)
	}
	if !errors.Is(serveErr, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", serveErr)
	}
	return nil
}
