package image

import (
	"archive/tar"
	"bytes"
	"context"
	"debug/buildinfo"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"egov.vn/platform/libs/workspace"
)

// source date of the tests: the commit time of no commit in particular, fixed.
var testDate = time.Date(2026, 11, 27, 8, 30, 0, 0, time.UTC)

func testMeta() Meta {
	return Meta{Name: "hello", Source: "egov.vn/platform", Revision: "0123456789abcdef0123456789abcdef01234567",
		Version: "0.1.0-test", Created: testDate, Arch: "amd64"}
}

// repoRoot is the checkout the test runs in (go test runs in the package's directory).
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := workspace.Root()
	if err != nil {
		t.Fatal(err)
	}
	return root
}

var testCA = []byte("-----BEGIN CERTIFICATE-----\ntest bundle, not parsed by the builder\n-----END CERTIFICATE-----\n")

// buildHello builds testdata/hello through Build into its own directory: a fresh compile output, a
// fresh base layer, a fresh image each time.
func buildHello(t *testing.T) *Built {
	t.Helper()
	root := repoRoot(t)
	base, err := BaseLayer(testCA)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Build(context.Background(), root, Target{Name: "hello", Dir: "libs/devkit/image/testdata/hello"}, testMeta(), base, testCA, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var (
	helloOnce  sync.Once
	helloBuilt *Built
)

func hello(t *testing.T) *Built {
	helloOnce.Do(func() { helloBuilt = buildHello(t) })
	if helloBuilt == nil {
		t.Fatal("building hello failed in an earlier test")
	}
	return helloBuilt
}

// The second build compiles through the shared build cache, so this shows that assembling, the SBOM
// and the tarball add nothing that varies (times, order, owners); that the compile itself is
// reproducible is Go's promise for -trimpath builds, checked by hand with an empty GOCACHE (README).
func TestBuildingTwiceGivesTheSameDigestTarballAndSBOM(t *testing.T) {
	first, second := hello(t), buildHello(t)
	if first.Digest != second.Digest {
		t.Fatalf("two builds of one source: %s and %s", first.Digest, second.Digest)
	}
	if !bytes.Equal(first.SBOM, second.SBOM) {
		t.Fatal("two builds of one source gave different SBOMs")
	}
	dir := t.TempDir()
	var tarballs [2][]byte
	for i, b := range []*Built{first, second} {
		p := filepath.Join(dir, fmt.Sprint(i))
		if err := b.WriteFiles(p+".tar", p+".cdx.json", "egov.local/hello:0.1.0-test", "0.1.0-test"); err != nil {
			t.Fatal(err)
		}
		var err error
		if tarballs[i], err = os.ReadFile(p + ".tar"); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(tarballs[0], tarballs[1]) {
		t.Fatal("two builds of one source gave different tarballs")
	}

	// The source date is in the digest: another date is another image.
	m := testMeta()
	m.Created = testDate.Add(time.Second)
	base, err := BaseLayer(testCA)
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "hello")
	if err := BuildBinary(context.Background(), repoRoot(t), Target{Name: "hello", Dir: "libs/devkit/image/testdata/hello"}, "amd64", bin); err != nil {
		t.Fatal(err)
	}
	binary, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	other, err := Assemble(base, binary, m)
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := other.Digest(); d == first.Digest {
		t.Fatal("a different source date gave the same digest: the date is not in the image")
	}
}

func TestTheImageRunsTheStaticBinaryAsNonRootWithItsLabels(t *testing.T) {
	img := hello(t).Image
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	c := cfg.Config
	if c.User != "65532:65532" {
		t.Errorf("user %q, want 65532:65532", c.User)
	}
	if !slices.Equal(c.Entrypoint, []string{"/usr/local/bin/hello"}) || len(c.Cmd) != 0 {
		t.Errorf("entrypoint %q cmd %q, want [/usr/local/bin/hello] and no cmd", c.Entrypoint, c.Cmd)
	}
	want := map[string]string{
		"org.opencontainers.image.source":   "egov.vn/platform",
		"org.opencontainers.image.revision": "0123456789abcdef0123456789abcdef01234567",
		"org.opencontainers.image.version":  "0.1.0-test",
		"org.opencontainers.image.created":  "2026-11-27T08:30:00Z",
	}
	m, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range want {
		if c.Labels[k] != v {
			t.Errorf("label %s = %q, want %q", k, c.Labels[k], v)
		}
		if m.Annotations[k] != v {
			t.Errorf("annotation %s = %q, want %q", k, m.Annotations[k], v)
		}
	}
	if cfg.OS != "linux" || cfg.Architecture != "amd64" || !cfg.Created.Equal(testDate) {
		t.Errorf("platform %s/%s created %s", cfg.OS, cfg.Architecture, cfg.Created)
	}

	files := imageFiles(t, img)
	for _, shell := range []string{"bin/sh", "bin/bash", "bin/busybox"} {
		if _, ok := files[shell]; ok {
			t.Errorf("the image has a shell: %s", shell)
		}
	}
	if h := files["usr/local/bin/hello"]; h == nil || h.Mode&0o111 == 0 || h.Uid != 0 {
		t.Errorf("binary entry %+v, want root-owned and executable", h)
	}
	if h := files["home/nonroot/"]; h == nil || h.Uid != NonRootUID {
		t.Errorf("home entry %+v, want owned by %d", h, NonRootUID)
	}
	if h := files["tmp/"]; h == nil || h.Mode&0o1777 != 0o1777 {
		t.Errorf("tmp entry %+v, want mode 1777", h)
	}
	if !strings.Contains(string(files["etc/passwd"].contents), "nonroot:x:65532:65532:") {
		t.Errorf("passwd: %q", files["etc/passwd"].contents)
	}
	if !bytes.Equal(files["etc/ssl/certs/ca-certificates.crt"].contents, testCA) {
		t.Error("the CA bundle is not the one given")
	}
	for n, h := range files {
		want := BaseDate // the base does not change with the source
		if n == "usr/local/bin/hello" {
			want = testDate
		}
		if !h.ModTime.Equal(want) {
			t.Errorf("%s dated %s, want %s", n, h.ModTime, want)
		}
	}
	// The base is one layer across images and releases: built again for another source date, the same.
	again, err := BaseLayer(testCA)
	if err != nil {
		t.Fatal(err)
	}
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	d1, _ := layers[0].Digest()
	d2, _ := again.Digest()
	if d1 != d2 {
		t.Errorf("base layer %s, built again %s", d1, d2)
	}

	// Static, trimmed, with the zone data inside: the image has no libc and no /usr/share/zoneinfo.
	bin := filepath.Join(t.TempDir(), "hello")
	if err := os.WriteFile(bin, files["usr/local/bin/hello"].contents, 0o755); err != nil {
		t.Fatal(err)
	}
	bi, err := buildinfo.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	settings := map[string]string{}
	for _, s := range bi.Settings {
		settings[s.Key] = s.Value
	}
	if settings["CGO_ENABLED"] != "0" || settings["-trimpath"] != "true" || settings["-tags"] != "timetzdata" {
		t.Errorf("build settings %v, want CGO_ENABLED=0, -trimpath=true, -tags=timetzdata", settings)
	}
}

type entry struct {
	*tar.Header
	contents []byte
}

// imageFiles flattens the image's layers (they never overwrite each other here).
func imageFiles(t *testing.T, img v1.Image) map[string]*entry {
	t.Helper()
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]*entry{}
	for _, l := range layers {
		rc, err := l.Uncompressed()
		if err != nil {
			t.Fatal(err)
		}
		tr := tar.NewReader(rc)
		var names []string
		for {
			h, err := tr.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			names = append(names, h.Name)
			files[h.Name] = &entry{Header: h, contents: b}
		}
		rc.Close()
		if !slices.IsSorted(names) {
			t.Errorf("layer entries not sorted: %v", names)
		}
	}
	return files
}

func TestTheSBOMListsTheModulesLinkedIn(t *testing.T) {
	var bom struct {
		BOMFormat   string `json:"bomFormat"`
		SpecVersion string `json:"specVersion"`
		Metadata    struct {
			Timestamp string `json:"timestamp"`
			Component struct{ Name, Version string }
		}
		Components []struct {
			Type, Name, Version, Purl string
			Hashes                    []struct{ Alg, Content string }
		}
	}
	if err := json.Unmarshal(hello(t).SBOM, &bom); err != nil {
		t.Fatal(err)
	}
	if bom.BOMFormat != "CycloneDX" || bom.SpecVersion != "1.6" || bom.Metadata.Timestamp != "2026-11-27T08:30:00Z" ||
		bom.Metadata.Component.Name != "hello" || bom.Metadata.Component.Version != "0.1.0-test" {
		t.Errorf("SBOM header %+v %+v", bom.BOMFormat, bom.Metadata)
	}
	byName := map[string]int{}
	for i, c := range bom.Components {
		byName[c.Name] = i
	}
	app, ok := byName["egov.vn/platform/libs/devkit/image/testdata/hello"]
	if !ok || bom.Components[app].Type != "application" {
		t.Errorf("no application component for the binary in %+v", bom.Components)
	}
	if i, ok := byName["stdlib"]; !ok || !strings.HasPrefix(bom.Components[i].Version, "go1.") {
		t.Error("no stdlib component with the Go version")
	}
	if i, ok := byName[CABundlePath]; !ok || len(bom.Components[i].Hashes) != 1 || bom.Components[i].Hashes[0].Content != FileSHA256(testCA) {
		t.Error("the CA bundle is not in the SBOM by its SHA-256")
	}
}

// listen takes the first free port of 26600-26699, the range this part of the tests may use.
func listen(t *testing.T) net.Listener {
	t.Helper()
	for p := 26600; p < 26700; p++ {
		if l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p)); err == nil {
			return l
		}
	}
	t.Fatal("no free port in 127.0.0.1:26600-26699")
	return nil
}

func TestPushedToARegistryAndPulledBackWithTheSameDigestAndItsSBOM(t *testing.T) {
	l := listen(t)
	srv := &http.Server{Handler: registry.New(registry.WithReferrersSupport(true)), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })

	b := hello(t)
	ref := l.Addr().String() + "/egov/hello:0.1.0-test"
	pushed, err := Push(context.Background(), ref, b.Image, b.SBOM, false)
	if err != nil {
		t.Fatal(err)
	}
	if pushed != b.Digest {
		t.Fatalf("pushed %s, built %s", pushed, b.Digest)
	}

	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	pulled, err := remote.Image(r)
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := pulled.Digest(); d != b.Digest {
		t.Fatalf("pulled %s, pushed %s", d, b.Digest)
	}
	cfg, err := pulled.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Config.User != "65532:65532" || cfg.Config.Labels["org.opencontainers.image.revision"] != testMeta().Revision {
		t.Errorf("pulled config user %q labels %v", cfg.Config.User, cfg.Config.Labels)
	}

	referrers, err := remote.Referrers(r.Context().Digest(b.Digest.String()))
	if err != nil {
		t.Fatal(err)
	}
	idx, err := referrers.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(idx.Manifests) != 1 || idx.Manifests[0].ArtifactType != SBOMMediaType {
		t.Fatalf("referrers of the image: %+v, want one %s", idx.Manifests, SBOMMediaType)
	}
	art, err := remote.Image(r.Context().Digest(idx.Manifests[0].Digest.String()))
	if err != nil {
		t.Fatal(err)
	}
	layers, err := art.Layers()
	if err != nil || len(layers) != 1 {
		t.Fatalf("SBOM artifact layers %d, %v", len(layers), err)
	}
	rc, err := layers[0].Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	got, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, b.SBOM) {
		t.Error("the SBOM pulled back is not the one pushed")
	}
}

func TestTheLayoutTarballNamesTheImageForContainerd(t *testing.T) {
	b := hello(t)
	var buf bytes.Buffer
	if err := WriteLayout(&buf, b.Image, "egov.local/hello:0.1.0-test", "0.1.0-test", testDate); err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(&buf)
	blobs := map[string]bool{}
	var index v1.IndexManifest
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case h.Name == "index.json":
			if err := json.NewDecoder(tr).Decode(&index); err != nil {
				t.Fatal(err)
			}
		case strings.HasPrefix(h.Name, "blobs/sha256/"):
			blobs[strings.TrimPrefix(h.Name, "blobs/sha256/")] = true
		}
	}
	if len(index.Manifests) != 1 || index.Manifests[0].Digest != b.Digest ||
		index.Manifests[0].Annotations["io.containerd.image.name"] != "egov.local/hello:0.1.0-test" {
		t.Fatalf("index.json %+v", index)
	}
	m, err := b.Image.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{b.Digest.Hex, m.Config.Digest.Hex}
	for _, l := range m.Layers {
		want = append(want, l.Digest.Hex)
	}
	for _, d := range want {
		if !blobs[d] {
			t.Errorf("blob %s missing from the layout", d)
		}
	}
}

func TestMetaMissingAFieldIsRefused(t *testing.T) {
	m := testMeta()
	m.Revision = ""
	base, err := BaseLayer(testCA)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Assemble(base, []byte("x"), m); err == nil || !strings.Contains(err.Error(), "revision") {
		t.Errorf("no revision: %v", err)
	}
	if _, err := BaseLayer(nil); err == nil || !strings.Contains(err.Error(), "ca-certificates") {
		t.Errorf("no CA bundle: %v", err)
	}
}
