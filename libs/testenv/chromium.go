package testenv

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// ChromiumPath is where Debian's chromium package installs the browser (infra/test-deps.sh).
const ChromiumPath = "/usr/bin/chromium"

// Chromium starts headless Chromium for a browser test and returns a tab's context that ends
// after timeout, or skips the test (fails it under CI) when the browser is missing. The browser
// may reach 127.0.0.1 only: every other host name fails to resolve, and its background services
// (updates, sync, QUIC) are off, so a test never sends traffic off the machine. opts add to or
// override the defaults (e.g. chromedp.WindowSize).
func Chromium(t testing.TB, timeout time.Duration, opts ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	if _, err := os.Stat(ChromiumPath); err != nil {
		unavailable(t, "%s is missing: apt-get install -y chromium (make test-deps does it)", ChromiumPath)
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
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"),
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

// ArtifactsDir is where a test leaves files for a person to look at (screenshots):
// $TEST_ARTIFACTS_DIR, or testdata/screenshots beside the test (gitignored). It is created.
func ArtifactsDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("TEST_ARTIFACTS_DIR")
	if dir == "" {
		dir = filepath.Join("testdata", "screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// WriteArtifact saves data as name in ArtifactsDir and logs where.
func WriteArtifact(t testing.TB, name string, data []byte) {
	t.Helper()
	p := filepath.Join(ArtifactsDir(t), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs(p)
	t.Logf("artifact: %s", abs)
}
