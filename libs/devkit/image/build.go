package image

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Target is one main package to make into an image.
type Target struct {
	Name string // image and binary name
	Dir  string // package directory relative to the repo root, e.g. "services/identity/cmd/identity"
}

// Targets finds every image the repo makes: each services/<svc>/cmd/<name> directory, and the
// operator's main package (operator/cmd holds files, not directories), named tenant-operator as
// the operator chart expects.
func Targets(root string) ([]Target, error) {
	dirs, err := filepath.Glob(filepath.Join(root, "services", "*", "cmd", "*"))
	if err != nil {
		return nil, err
	}
	var out []Target
	for _, d := range dirs {
		if fi, err := os.Stat(d); err != nil || !fi.IsDir() {
			continue
		}
		rel, err := filepath.Rel(root, d)
		if err != nil {
			return nil, err
		}
		out = append(out, Target{Name: filepath.Base(d), Dir: filepath.ToSlash(rel)})
	}
	if _, err := os.Stat(filepath.Join(root, "operator", "cmd", "main.go")); err == nil {
		out = append(out, Target{Name: "tenant-operator", Dir: "operator/cmd"})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("image: no main package under %s/services/*/cmd/* or %s/operator/cmd", root, root)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// BuildBinary compiles one target as a static, reproducible linux binary into out:
// CGO off, -trimpath (no build paths in the binary), time/tzdata embedded (the image has no
// /usr/share/zoneinfo, and Asia/Ho_Chi_Minh must load), no VCS stamp (a dirty tree would change
// the bytes; the revision is a label instead), and GOPROXY=off so the build uses the module cache
// and nothing else from the network.
func BuildBinary(ctx context.Context, root string, t Target, arch, out string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-buildvcs=false", "-tags=timetzdata",
		"-ldflags=-s -w", "-o", out, "./"+t.Dir)
	cmd.Dir = root
	cmd.Env = append(cleanEnv(os.Environ()),
		"CGO_ENABLED=0", "GOOS=linux", "GOARCH="+arch, "GOPROXY=off", "GOFLAGS=", "GOTOOLCHAIN=local")
	var stderr bytes.Buffer
	cmd.Stdout = &stderr
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		hint := ""
		if strings.Contains(stderr.String(), "module lookup disabled by GOPROXY=off") {
			hint = "\nthe module cache lacks modules this image needs, and images are built offline: fill it first " +
				"(`go mod download` in the module of ./" + t.Dir + ", or `make test-deps test`), or on an offline site copy " +
				"GOMODCACHE from a machine that built the same commit"
		}
		return fmt.Errorf("image %s: go build ./%s: %w\n%s%s", t.Name, t.Dir, err, stderr.String(), hint)
	}
	return nil
}

// cleanEnv drops the variables BuildBinary sets, so the caller's cannot override them.
func cleanEnv(env []string) []string {
	out := env[:0:0]
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "CGO_ENABLED", "GOOS", "GOARCH", "GOPROXY", "GOFLAGS", "GOTOOLCHAIN":
			continue
		}
		out = append(out, kv)
	}
	return out
}

// Built is one image with its SBOM.
type Built struct {
	Image  v1.Image
	Digest v1.Hash
	Size   int64 // the compressed layers, what a node pulls
	SBOM   []byte
}

// Build compiles t in a directory under tmp and assembles its image on base.
func Build(ctx context.Context, root string, t Target, m Meta, base v1.Layer, caBundle []byte, tmp string) (*Built, error) {
	bin := filepath.Join(tmp, t.Name)
	if err := BuildBinary(ctx, root, t, m.Arch, bin); err != nil {
		return nil, err
	}
	binary, err := os.ReadFile(bin)
	if err != nil {
		return nil, err
	}
	sbom, err := SBOM(bin, m, caBundle)
	if err != nil {
		return nil, err
	}
	img, err := Assemble(base, binary, m)
	if err != nil {
		return nil, err
	}
	digest, err := img.Digest()
	if err != nil {
		return nil, err
	}
	layers, err := img.Layers()
	if err != nil {
		return nil, err
	}
	var size int64
	for _, l := range layers {
		s, err := l.Size()
		if err != nil {
			return nil, err
		}
		size += s
	}
	return &Built{Image: img, Digest: digest, Size: size, SBOM: sbom}, nil
}

// WriteFiles writes the OCI layout tarball and the SBOM, each through a temporary file renamed
// into place, so an interrupted build never leaves half a tarball under the final name.
func (b *Built) WriteFiles(tarPath, sbomPath, ref, tag string) error {
	cfg, err := b.Image.ConfigFile()
	if err != nil {
		return err
	}
	if err := writeAtomic(tarPath, func(f *os.File) error { return WriteLayout(f, b.Image, ref, tag, cfg.Created.Time) }); err != nil {
		return err
	}
	return writeAtomic(sbomPath, func(f *os.File) error { _, err := f.Write(b.SBOM); return err })
}

func writeAtomic(p string, write func(*os.File) error) error {
	f, err := os.CreateTemp(filepath.Dir(p), "."+filepath.Base(p)+".*")
	if err != nil {
		return err
	}
	defer func() { _ = os.Remove(f.Name()) }() // gone after the rename; only a failed write leaves it
	if err := write(f); err != nil {
		_ = f.Close()
		return fmt.Errorf("image: writing %s: %w", p, err)
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(f.Name(), p)
}
