package pages

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"strings"
	"testing"
)

// TestVendoredChartJSMatchesItsPin: the embedded Chart.js is byte for byte the file whose
// checksum static/VERSIONS records (written by static/vendor.sh from the npm tarball).
func TestVendoredChartJSMatchesItsPin(t *testing.T) {
	t.Parallel()
	versions, err := os.ReadFile("static/VERSIONS")
	if err != nil {
		t.Fatal(err)
	}
	var want string
	for _, line := range strings.Split(string(versions), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "chart.umd.min.js sha256: "); ok {
			want = v
		}
	}
	body, err := assets.ReadFile("static/chart.umd.min.js")
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(body)
	if want == "" || hex.EncodeToString(sum[:]) != want {
		t.Fatalf("chart.umd.min.js sha256 %x, VERSIONS pins %q: re-run static/vendor.sh", sum, want)
	}
}
