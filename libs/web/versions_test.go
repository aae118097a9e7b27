package web_test

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"strings"
	"testing"
)

// The vendored assets are the files VERSIONS says they are: a hand edit or a half-run vendor.sh
// fails here. htmx drives every page; Chart.js draws the services' statistics.
func TestVendoredAssetsMatchVERSIONS(t *testing.T) {
	t.Parallel()
	versions, err := os.ReadFile("static/VERSIONS")
	if err != nil {
		t.Fatal(err)
	}
	for file, release := range map[string]string{"htmx.min.js": "htmx.org 2.0.", "chart.umd.min.js": "chart.js 4."} {
		js, err := os.ReadFile("static/" + file)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(js)
		if want := file + " sha256: " + hex.EncodeToString(sum[:]); !strings.Contains(string(versions), want) {
			t.Errorf("static/VERSIONS lacks %q; re-run web/static/vendor.sh", want)
		}
		if !strings.Contains(string(versions), release) {
			t.Errorf("static/VERSIONS does not name a %sx release", release)
		}
	}
}
