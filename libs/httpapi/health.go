package httpapi

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"egov.vn/platform/libs/redact"
)

// Check is one readiness dependency (database ping, MinIO bucket, NATS connection). Probe must
// honour ctx; a probe that does not is reported as timed out anyway.
type Check struct {
	Name  string
	Probe func(ctx context.Context) error
}

// CheckResult is one entry of the /readyz body. Reason is a fixed phrase, never the probe's
// error text, which may contain hosts, users or DSNs; the error itself is logged.
type CheckResult struct {
	Name     string `json:"name"`
	Status   string `json:"status"` // "ok" or "fail"
	Reason   string `json:"reason,omitempty"`
	Duration string `json:"duration"`
}

// readyHandler runs every check concurrently, each under timeout, and answers 200 when all pass
// and 503 otherwise, so Kubernetes stops routing to a pod whose dependencies are down.
func readyHandler(checks []Check, timeout time.Duration) gin.HandlerFunc {
	return func(c *gin.Context) {
		results := make([]CheckResult, len(checks))
		var wg sync.WaitGroup
		for i, chk := range checks {
			wg.Go(func() { results[i] = runCheck(c, chk, timeout) })
		}
		wg.Wait()

		status, code := "ready", http.StatusOK
		for _, r := range results {
			if r.Status != "ok" {
				status, code = "unavailable", http.StatusServiceUnavailable
			}
		}
		c.Header("Cache-Control", "no-store")
		c.JSON(code, gin.H{"status": status, "checks": results})
	}
}

func runCheck(c *gin.Context, chk Check, timeout time.Duration) CheckResult {
	ctx, cancel := context.WithTimeout(c.Request.Context(), timeout)
	defer cancel()
	start := time.Now()
	done := make(chan error, 1) // buffered: a probe that outlives the timeout must not block forever
	go func() {
		defer func() {
			if rec := recover(); rec != nil {
				done <- fmt.Errorf("probe panicked: %v", rec)
			}
		}()
		done <- chk.Probe(ctx)
	}()

	res := CheckResult{Name: chk.Name, Status: "ok"}
	var err error
	select {
	case err = <-done:
		if err != nil {
			res.Status, res.Reason = "fail", "check failed"
		}
	case <-ctx.Done():
		err = ctx.Err()
		res.Status, res.Reason = "fail", "timed out"
	}
	res.Duration = time.Since(start).Round(time.Millisecond).String()
	if err != nil {
		loggerFrom(c).WarnContext(c.Request.Context(), "readiness check failed",
			slog.String("check", chk.Name), slog.String("error", redact.URLPasswords(err.Error())))
	}
	return res
}
