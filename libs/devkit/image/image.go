// Package image builds the platform's OCI images without Docker: a static Go binary on a base the
// project assembles itself (CA certificates, passwd/group with the non-root user 65532, /tmp, no
// shell), with go-containerregistry. Every byte of an image is a function of the source, the Go
// toolchain, the CA bundle and the source date, so the same inputs give the same digest: entries are
// sorted, owners and times fixed, and the config's dates are the source date.
package image

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// NonRootUID is the user every image runs as: the same number as distroless' nonroot, so charts and
// PodSecurity "restricted" need nothing new.
const NonRootUID = 65532

// CABundlePath is where the base puts the CA bundle: Debian's path, which Go's crypto/x509 reads.
const CABundlePath = "/etc/ssl/certs/ca-certificates.crt"

// BinDir is where the binary goes; Entrypoint names it in full, PATH only helps `kubectl debug`.
const BinDir = "/usr/local/bin"

// Meta is what an image says about itself in its labels and annotations.
type Meta struct {
	Name     string    // image and binary name, e.g. "identity"
	Source   string    // org.opencontainers.image.source
	Revision string    // the commit: org.opencontainers.image.revision
	Version  string    // org.opencontainers.image.version (the tag)
	Created  time.Time // the source date: layer times, config dates, org.opencontainers.image.created
	Arch     string    // GOARCH of the binary
}

func (m Meta) check() error {
	switch {
	case m.Name == "":
		return fmt.Errorf("image: no name")
	case m.Source == "" || m.Revision == "" || m.Version == "":
		return fmt.Errorf("image %s: source, revision and version are all required (got %q, %q, %q)", m.Name, m.Source, m.Revision, m.Version)
	case m.Created.IsZero():
		return fmt.Errorf("image %s: no source date (set SOURCE_DATE_EPOCH or build from a git checkout)", m.Name)
	case m.Arch == "":
		return fmt.Errorf("image %s: no architecture", m.Name)
	}
	return nil
}

// Labels are the OCI labels of the image config; the manifest carries the same as annotations.
func (m Meta) Labels() map[string]string {
	return map[string]string{
		"org.opencontainers.image.title":    m.Name,
		"org.opencontainers.image.source":   m.Source,
		"org.opencontainers.image.revision": m.Revision,
		"org.opencontainers.image.version":  m.Version,
		"org.opencontainers.image.created":  m.Created.UTC().Format(time.RFC3339),
	}
}

// file is one entry of a layer.
type file struct {
	name string // absolute path in the image
	mode int64
	uid  int
	data []byte // nil for a directory
	dir  bool
}

// layer writes entries as a tar, sorted by path, owned and dated as given, so that the same entries
// always give the same bytes; the layer is gzip-compressed by go-containerregistry, whose gzip
// header carries no time either.
func layer(files []file, created time.Time) (v1.Layer, error) {
	sort.Slice(files, func(i, j int) bool { return files[i].name < files[j].name })
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		h := &tar.Header{
			Name:    f.name[1:], // layers hold relative paths
			Mode:    f.mode,
			Uid:     f.uid,
			Gid:     f.uid,
			ModTime: created.UTC().Truncate(time.Second),
			Format:  tar.FormatPAX,
		}
		if f.dir {
			h.Typeflag = tar.TypeDir
			h.Name += "/"
		} else {
			h.Typeflag = tar.TypeReg
			h.Size = int64(len(f.data))
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if _, err := tw.Write(f.data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	b := buf.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil },
		tarball.WithMediaType(types.OCILayer))
}

// dirs gives the directory entries for every parent of the given paths, root-owned and 0755.
func dirs(paths ...string) []file {
	seen := map[string]bool{}
	var out []file
	for _, p := range paths {
		for d := path.Dir(p); d != "/"; d = path.Dir(d) {
			if !seen[d] {
				seen[d] = true
				out = append(out, file{name: d, mode: 0o755, dir: true})
			}
		}
	}
	return out
}

// BaseDate dates the base layer's entries. The base does not change with the source, so it is not
// dated by it: its digest then changes only with the CA bundle, and registries and nodes keep one
// copy across releases. The Unix epoch, as ko dates its layers.
var BaseDate = time.Unix(0, 0).UTC()

// BaseLayer is the layer every image shares: the CA bundle, the users, a world-writable /tmp (Go's
// multipart parser spills large uploads there) and the non-root user's home. It holds no shell
// and no package manager, and is the same layer in every image and every release until the CA
// bundle changes, so a registry stores it once.
func BaseLayer(caBundle []byte) (v1.Layer, error) {
	if len(caBundle) == 0 {
		return nil, fmt.Errorf("image: the CA bundle is empty; install Debian's ca-certificates (it provides %s)", CABundlePath)
	}
	uid := fmt.Sprint(NonRootUID)
	files := []file{
		{name: "/etc/passwd", mode: 0o644, data: []byte("root:x:0:0:root:/root:/sbin/nologin\n" +
			"nonroot:x:" + uid + ":" + uid + ":nonroot:/home/nonroot:/sbin/nologin\n")},
		{name: "/etc/group", mode: 0o644, data: []byte("root:x:0:\nnonroot:x:" + uid + ":\n")},
		// Go's resolver reads it to decide between /etc/hosts and DNS; without it the order is a guess.
		{name: "/etc/nsswitch.conf", mode: 0o644, data: []byte("hosts: files dns\n")},
		{name: CABundlePath, mode: 0o644, data: caBundle},
		{name: "/tmp", mode: 0o1777, dir: true},
		{name: "/home/nonroot", mode: 0o700, uid: NonRootUID, dir: true},
	}
	files = append(files, dirs("/etc/passwd", CABundlePath, "/home/nonroot", BinDir+"/x")...)
	return layer(dedupe(files), BaseDate)
}

// dedupe keeps the first entry of each path: explicit entries come before the generated parents.
func dedupe(files []file) []file {
	seen := map[string]bool{}
	out := files[:0]
	for _, f := range files {
		if !seen[f.name] {
			seen[f.name] = true
			out = append(out, f)
		}
	}
	return out
}

// Assemble builds the image of one binary: the base layer, then the binary at BinDir/<name>, run as
// 65532:65532 with no shell in front of it.
func Assemble(base v1.Layer, binary []byte, m Meta) (v1.Image, error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	app, err := layer([]file{{name: path.Join(BinDir, m.Name), mode: 0o755, data: binary}}, m.Created)
	if err != nil {
		return nil, err
	}
	created := v1.Time{Time: m.Created.UTC()}
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	img, err = mutate.Append(img,
		mutate.Addendum{Layer: base, History: v1.History{Created: created, CreatedBy: "egov-image: base (CA certificates, users 0 and 65532, /tmp)", Comment: "base"}},
		mutate.Addendum{Layer: app, History: v1.History{Created: created, CreatedBy: "egov-image: " + path.Join(BinDir, m.Name), Comment: "app"}},
	)
	if err != nil {
		return nil, err
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cfg = cfg.DeepCopy()
	cfg.Created = created
	cfg.OS = "linux"
	cfg.Architecture = m.Arch
	cfg.Author = ""
	cfg.Config = v1.Config{
		Entrypoint: []string{path.Join(BinDir, m.Name)},
		User:       fmt.Sprintf("%d:%d", NonRootUID, NonRootUID),
		WorkingDir: "/home/nonroot",
		Env: []string{
			"PATH=" + BinDir,
			"SSL_CERT_FILE=" + CABundlePath,
			"HOME=/home/nonroot",
		},
		Labels: m.Labels(),
	}
	img, err = mutate.ConfigFile(img, cfg)
	if err != nil {
		return nil, err
	}
	annotated, ok := mutate.Annotations(img, m.Labels()).(v1.Image)
	if !ok {
		return nil, fmt.Errorf("image %s: annotating the manifest lost the image", m.Name)
	}
	return annotated, nil
}

// FileSHA256 is the hex SHA-256 of a file, for the SBOM's record of the CA bundle.
func FileSHA256(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// ReadCABundle reads the machine's CA bundle (Debian's ca-certificates).
func ReadCABundle(p string) ([]byte, error) {
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("image: reading the CA bundle: %w (install Debian's ca-certificates, or pass -ca-bundle)", err)
	}
	return b, nil
}
