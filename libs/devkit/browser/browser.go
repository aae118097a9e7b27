// Package browser starts headless Chromium for the platform's browser tests (chromedp), with the
// flags that keep it on this machine. It lives in the dev-tooling module so that the production
// libs never depend on a browser driver.
package browser

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"egov.vn/platform/libs/testenv"
)

// ChromiumPath is where Debian's chromium package installs the browser (infra/test-deps.sh).
const ChromiumPath = "/usr/bin/chromium"

// Chromium starts headless Chromium for a browser test and returns a tab's context that ends
// after timeout, or skips the test (fails it under CI) when the browser is missing. The browser
// may reach 127.0.0.1 only: every other host name fails to resolve, and its background services
// (updates, sync, QUIC) are off, so a test never sends traffic off the machine. localhost is
// allowed too: the local stack (devstack, the e2e tier) shows itself to browsers at
// http://localhost:<port>, as its issuer and redirect URIs say. opts add to or
// override the defaults (e.g. chromedp.WindowSize).
func Chromium(t testing.TB, timeout time.Duration, opts ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	if _, err := os.Stat(ChromiumPath); err != nil {
		testenv.Unavailable(t, "%s is missing: apt-get install -y chromium (make test-deps does it)", ChromiumPath)
	}
	all := append([]chromedp.ExecAllocatorOption{
		chromedp.ExecPath(ChromiumPath),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost"),
	}, opts...)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), all...)
	ctx, cancel := chromedp.NewContext(allocCtx, chromedp.WithLogf(t.Logf))
	if err := chromedp.Do(ctx); err != nil { // start the browser outside the test's deadline
		cancel()
		cancelAlloc()
		t.Fatalf("start chromium: %v", err)
	}
	ctx, cancelTimeout := context.WithTimeout(ctx, timeout)
	t.Cleanup(func() {
		cancelTimeout()
		cancel()
		cancelAlloc()
	})
	return ctx
}
