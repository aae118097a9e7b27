// Command egov-image builds the platform's images without Docker: one OCI image per service and
// the Tenant operator, from the repo, with go-containerregistry (see package image). For each it
// writes var/images/<name>.tar (an OCI layout tarball that `ctr images import` and `docker load`
// take) and var/images/<name>.cdx.json (its CycloneDX SBOM), and with -registry pushes both.
//
//	go run ./libs/devkit/cmd/egov-image [-registry host:port] [-tag dev] [name...]
//
// The same source gives the same digests: the source date is SOURCE_DATE_EPOCH, else the commit's
// time; the revision is the commit. It needs no network beyond the module cache (GOPROXY=off).
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"egov.vn/platform/libs/devkit/image"
	"egov.vn/platform/libs/workspace"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "egov-image:", err)
		os.Exit(1)
	}
}

func run() error {
	var (
		out       = flag.String("out", "var/images", "directory for <name>.tar and <name>.cdx.json")
		registry  = flag.String("registry", os.Getenv("REGISTRY"), "push to this registry (host[:port][/path]); empty: only write tarballs")
		plainHTTP = flag.Bool("plain-http", false, "the registry speaks plain HTTP (localhost and 127.0.0.1 always do)")
		prefix    = flag.String("name-prefix", "egov.local", "image names in the tarballs are <prefix>/<name>:<tag>, as the platform chart's image.registry; -registry overrides it")
		tag       = flag.String("tag", envOr("IMAGE_TAG", "dev"), "the image tag, also org.opencontainers.image.version")
		source    = flag.String("source", os.Getenv("IMAGE_SOURCE"), "org.opencontainers.image.source; empty: the git remote origin, else the module path egov.vn/platform")
		revision  = flag.String("revision", "", "org.opencontainers.image.revision; empty: git rev-parse HEAD")
		arch      = flag.String("arch", "amd64", "GOARCH of the images (the same for every host, so digests do not depend on it)")
		caBundle  = flag.String("ca-bundle", image.CABundlePath, "the CA bundle put in the base (Debian's ca-certificates)")
	)
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	root, err := workspace.Root()
	if err != nil {
		return err
	}
	targets, err := image.Targets(root)
	if err != nil {
		return err
	}
	if names := flag.Args(); len(names) > 0 {
		targets = slices.DeleteFunc(targets, func(t image.Target) bool { return !slices.Contains(names, t.Name) })
		if len(targets) != len(names) {
			all, _ := image.Targets(root)
			var known []string
			for _, t := range all {
				known = append(known, t.Name)
			}
			return fmt.Errorf("unknown image among %v; the images are %s", names, strings.Join(known, ", "))
		}
	}
	if *revision == "" {
		if *revision, err = git(ctx, root, "rev-parse", "HEAD"); err != nil {
			return fmt.Errorf("no -revision and no git commit: %w", err)
		}
	}
	if *source == "" {
		if *source, _ = git(ctx, root, "config", "--get", "remote.origin.url"); *source == "" {
			*source = "egov.vn/platform"
		}
	}
	created, err := sourceDate(ctx, root)
	if err != nil {
		return err
	}
	ca, err := image.ReadCABundle(*caBundle)
	if err != nil {
		return err
	}
	base, err := image.BaseLayer(ca)
	if err != nil {
		return err
	}
	namePrefix := *prefix
	if *registry != "" {
		namePrefix = strings.TrimSuffix(*registry, "/")
	}
	outDir := *out
	if !filepath.IsAbs(outDir) {
		outDir = filepath.Join(root, outDir)
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "egov-image-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(tmp) }()

	for _, t := range targets {
		m := image.Meta{Name: t.Name, Source: *source, Revision: *revision, Version: *tag, Created: created, Arch: *arch}
		ref := namePrefix + "/" + t.Name + ":" + *tag
		r, err := image.Build(ctx, root, t, m, base, ca, tmp)
		if err != nil {
			return err
		}
		tarPath := filepath.Join(outDir, t.Name+".tar")
		if err := r.WriteFiles(tarPath, filepath.Join(outDir, t.Name+".cdx.json"), ref, *tag); err != nil {
			return err
		}
		fmt.Printf("%s\t%s\t%s\t%.1f MiB (compressed layers)\n", ref, r.Digest, rel(root, tarPath), float64(r.Size)/(1<<20))
		if *registry != "" {
			if _, err := image.Push(ctx, ref, r.Image, r.SBOM, *plainHTTP); err != nil {
				return err
			}
			fmt.Printf("%s\tpushed with its SBOM as a referrer\n", ref)
		}
	}
	return nil
}

// sourceDate is SOURCE_DATE_EPOCH (the reproducible-builds convention), else the time of the
// commit checked out: never the clock, which would change every digest.
func sourceDate(ctx context.Context, root string) (time.Time, error) {
	s := os.Getenv("SOURCE_DATE_EPOCH")
	if s == "" {
		var err error
		if s, err = git(ctx, root, "log", "-1", "--format=%ct"); err != nil {
			return time.Time{}, fmt.Errorf("no SOURCE_DATE_EPOCH and no git commit to take the date from: %w", err)
		}
	}
	sec, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH=%q is not a number of seconds since 1970", s)
	}
	return time.Unix(sec, 0).UTC(), nil
}

func git(ctx context.Context, root string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("git %s: %w %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(string(out)), nil
}

func rel(root, p string) string {
	if r, err := filepath.Rel(root, p); err == nil {
		return r
	}
	return p
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
