package web_test

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"strings"
	"testing"
)

// The vendored htmx is the file VERSIONS says it is: a hand edit or a half-run vendor.sh fails here.
func TestVendoredHTMXMatchesVERSIONS(t *testing.T) {
	t.Parallel()
	js, err := os.ReadFile("static/htmx.min.js")
	if err != nil {
		t.Fatal(err)
	}
	versions, err := os.ReadFile("static/VERSIONS")
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(js)
	if want := "htmx.min.js sha256: " + hex.EncodeToString(sum[:]); !strings.Contains(string(versions), want) {
		t.Errorf("static/VERSIONS lacks %q; re-run web/static/vendor.sh", want)
	}
	if !strings.Contains(string(versions), "htmx.org 2.0.") {
		t.Error("static/VERSIONS does not name an htmx 2.0.x release")
	}
}

// The vendored Chart.js, which the services' statistics pages draw with, likewise.
func TestVendoredChartJSMatchesVERSIONS(t *testing.T) {
	t.Parallel()
	js, err := os.ReadFile("static/chart.umd.min.js")
	if err != nil {
		t.Fatal(err)
	}
	versions, err := os.ReadFile("static/VERSIONS")
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(js)
	if want := "chart.umd.min.js sha256: " + hex.EncodeToString(sum[:]); !strings.Contains(string(versions), want) {
		t.Errorf("static/VERSIONS lacks %q; re-run web/static/vendor.sh", want)
	}
	if !strings.Contains(string(versions), "chart.js 4.") {
		t.Error("static/VERSIONS does not name a Chart.js 4.x release")
	}
}
