package httpapi_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"sync/atomic"
	"testing"

	"egov.vn/platform/libs/httpapi"
)

func TestServeDrainsInFlightRequestOnShutdown(t *testing.T) {
	t.Parallel()
	entered := make(chan struct{})
	release := make(chan struct{})
	var handlerFinished atomic.Bool

	mux := http.NewServeMux()
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-release
		handlerFinished.Store(true)
		_, _ = io.WriteString(w, "done")
	})
	srv := httpapi.NewServer("127.0.0.1:0", mux)
	if srv.ReadHeaderTimeout == 0 || srv.IdleTimeout == 0 {
		t.Fatal("NewServer left slow-client timeouts unset")
	}
	shuttingDown := make(chan struct{})
	srv.RegisterOnShutdown(func() { close(shuttingDown) })

	var lc net.ListenConfig
	ln, err := lc.Listen(t.Context(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	served := make(chan error, 1)
	var finishedWhenServeReturned atomic.Bool
	go func() {
		err := httpapi.ServeListener(ctx, srv, ln, 0)
		finishedWhenServeReturned.Store(handlerFinished.Load())
		served <- err
	}()

	type result struct {
		status int
		body   string
		err    error
	}
	got := make(chan result, 1)
	go func() {
		// Not t.Context(): the request must outlive the cancel below, like a real client's.
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, "http://"+ln.Addr().String()+"/slow", nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			got <- result{err: err}
			return
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		got <- result{res.StatusCode, string(b), err}
	}()

	<-entered
	cancel() // what SIGTERM does via signal.NotifyContext
	<-shuttingDown
	select {
	case err := <-served:
		t.Fatalf("Serve returned (%v) while a request was still in flight", err)
	default:
	}
	close(release)

	if err := <-served; err != nil {
		t.Fatalf("Serve = %v, want nil after a clean drain", err)
	}
	if !finishedWhenServeReturned.Load() {
		t.Fatal("Serve returned before the in-flight handler finished")
	}
	r := <-got
	if r.err != nil || r.status != 200 || r.body != "done" {
		t.Fatalf("in-flight request = %+v, want 200 done", r)
	}
	var d net.Dialer
	if _, err := d.DialContext(t.Context(), "tcp", ln.Addr().String()); err == nil {
		t.Fatal("listener still accepts connections after Serve returned")
	}
}

func TestServeReportsListenFailure(t *testing.T) {
	t.Parallel()
	var lc net.ListenConfig
	ln, err := lc.Listen(t.Context(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	srv := httpapi.NewServer(ln.Addr().String(), http.NotFoundHandler())
	if err := httpapi.Serve(context.Background(), srv, 0); err == nil {
		t.Fatal("Serve on a taken port returned nil")
	}
}
