package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	k8syaml "k8s.io/apimachinery/pkg/util/yaml"
	sigsyaml "sigs.k8s.io/yaml"

	"egov.vn/platform/libs/apperr"
	platformv1 "egov.vn/platform/operator/api/v1alpha1"
	"egov.vn/platform/operator/internal/adapters/platformapi"
	"egov.vn/platform/operator/internal/adapters/storage"
	"egov.vn/platform/operator/internal/onboard"
)

// onboardUsage is the subcommand's help.
const onboardUsage = `usage: operator onboard [flags] FILE...

Onboards the Tenants in the YAML files (several documents per file allowed, parents before their
children) with the steps the operator's controller runs, but without Kubernetes: the identity
tenant with its administrators, the bucket and its MinIO user by the storage contract, and the
provisioning in every service whose URL is given. Idempotent: running it again changes nothing
that is already in place. Used by the local stack (make run) and the e2e tier.

Flags (the operator's, where they apply):
`

// runOnboard is `operator onboard`.
func runOnboard() error {
	f, fs := newFlags("operator onboard")
	adminPasswordFile := fs.String("admin-password-file", "", "local stack and tests only: administrators made now get the password in this file instead of a one-time one")
	credentialsFile := fs.String("credentials-file", "", "write the one-time passwords identity issues to this file (mode 0600); without it they are not shown")
	wait := fs.Duration("wait", time.Minute, "how long to retry a step whose service is unavailable")
	fs.Usage = func() {
		_, _ = fmt.Fprint(fs.Output(), onboardUsage)
		fs.PrintDefaults()
	}
	if err := f.parse(fs, os.Args[2:]); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return errors.New("no Tenant manifest given")
	}
	adminPassword := ""
	if *adminPasswordFile != "" {
		b, err := os.ReadFile(*adminPasswordFile) //nolint:gosec // the path is the caller's own flag
		if err != nil {
			return fmt.Errorf("--admin-password-file: %w", err)
		}
		adminPassword = strings.TrimSpace(string(b))
	}
	var tenants []*platformv1.Tenant
	for _, file := range fs.Args() {
		ts, err := readTenants(file)
		if err != nil {
			return err
		}
		tenants = append(tenants, ts...)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	httpClient := &http.Client{Timeout: 30 * time.Second}
	api := platformapi.NewClient(platformapi.Credentials{Issuer: f.identityURL, ClientID: f.clientID, ClientSecret: f.clientSecret}, httpClient)
	store, err := storage.New(f.minio)
	if err != nil {
		return err
	}
	o := &onboarder{out: os.Stdout, identity: platformapi.NewIdentity(api, f.identityURL), store: store, prov: api,
		bucketPrefix: f.opts.BucketPrefix, urls: f.opts.ServiceURLs, adminPassword: adminPassword, wait: *wait}
	issued, err := o.run(ctx, tenants)
	if *credentialsFile != "" && len(issued) > 0 {
		b, merr := sigsyaml.Marshal(issued)
		if merr == nil {
			merr = os.WriteFile(*credentialsFile, b, 0o600)
		}
		err = errors.Join(err, merr)
	} else if n := countCredentials(issued); n > 0 {
		o.say("identity issued %d credentials (one-time passwords, client secrets); pass --credentials-file to keep them\n", n)
	}
	return err
}

// countCredentials counts the credentials issued over every tenant.
func countCredentials(issued map[string]map[string]string) int {
	n := 0
	for _, c := range issued {
		n += len(c)
	}
	return n
}

// readTenants reads every Tenant document in file and fills in the defaults the API server's
// CRD would (services, retention, quota), so a manifest means the same here as in a cluster.
func readTenants(file string) ([]*platformv1.Tenant, error) {
	fh, err := os.Open(file) //nolint:gosec // the caller names its manifests
	if err != nil {
		return nil, err
	}
	defer func() { _ = fh.Close() }()
	dec := k8syaml.NewYAMLOrJSONDecoder(fh, 4096)
	var out []*platformv1.Tenant
	for {
		var t platformv1.Tenant
		if err := dec.Decode(&t); errors.Is(err, io.EOF) {
			return out, nil
		} else if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		if t.Kind == "" && t.Name == "" {
			continue // an empty document
		}
		if t.Kind != "Tenant" {
			return nil, fmt.Errorf("%s: %s %q is not a Tenant", file, t.Kind, t.Name)
		}
		if err := checkTenant(&t); err != nil {
			return nil, fmt.Errorf("%s: Tenant %q: %w", file, t.Name, err)
		}
		out = append(out, &t)
	}
}

// checkTenant applies the CRD's defaults and the checks onboarding relies on.
func checkTenant(t *platformv1.Tenant) error {
	if len(t.Spec.Services) == 0 {
		t.Spec.Services = []platformv1.ServiceName{platformv1.ServiceDossiers, platformv1.ServiceArchives, platformv1.ServiceHR, platformv1.ServiceReporting}
	}
	if t.Spec.ArchiveRetention.Mode == "" {
		t.Spec.ArchiveRetention.Mode = platformv1.RetentionGovernance
	}
	if t.Spec.Quotas.ArchiveStorageGiB == 0 {
		t.Spec.Quotas.ArchiveStorageGiB = 100
	}
	if len(t.Spec.Admins) == 0 {
		return errors.New("spec.admins: list at least one administrator")
	}
	if _, err := onboard.Slug(t); err != nil {
		return err
	}
	return onboard.Provisioning(t).Validate()
}

// onboarder runs onboarding's steps for each tenant in turn.
type onboarder struct {
	out           io.Writer
	identity      onboard.IdentityAdmin
	store         onboard.Buckets
	prov          onboard.Provisioner
	bucketPrefix  string
	urls          map[platformv1.ServiceName]string
	adminPassword string
	wait          time.Duration
}

// say prints one line of progress; a console that cannot be written to stops nothing.
func (o *onboarder) say(format string, args ...any) { _, _ = fmt.Fprintf(o.out, format, args...) }

// run onboards every tenant; a failing step is reported and the others still run, as in the
// controller. It returns the credentials identity issued, by tenant.
func (o *onboarder) run(ctx context.Context, tenants []*platformv1.Tenant) (map[string]map[string]string, error) {
	issued := map[string]map[string]string{}
	var errs []error
	fail := func(t *platformv1.Tenant, step string, err error) {
		o.say("%s: %s FAILED: %v\n", t.Name, step, err)
		errs = append(errs, fmt.Errorf("%s: %s: %w", t.Name, step, err))
	}
	for _, t := range tenants {
		var res onboard.IdentityResult
		err := o.retry(ctx, func() (err error) {
			// Without a cluster there is no status to remember former administrators by: the
			// controller disables those; this command only adds.
			res, err = onboard.Identity(ctx, o.identity, t, nil, o.adminPassword)
			return err
		})
		identityReady := err == nil
		if err != nil {
			fail(t, "identity", err)
		} else {
			o.say("%s: identity tenant %s, %d administrators\n", t.Name, res.Tenant.ID, len(t.Spec.Admins))
			creds := map[string]string{}
			for k, v := range res.OneTime {
				creds["password/"+k] = v
			}
			if len(creds) > 0 {
				issued[t.Name] = creds
			}
		}
		var summary string
		if err := o.retry(ctx, func() (err error) {
			_, summary, err = onboard.EnsureBucket(ctx, o.store, onboard.Bucket(o.bucketPrefix, t))
			return err
		}); err != nil {
			fail(t, "storage", err)
		} else {
			o.say("%s: %s\n", t.Name, summary)
		}
		for _, s := range onboard.Seeds {
			url := o.urls[s.Service]
			switch {
			case !t.Spec.Uses(s.Service):
				o.say("%s: %s not enabled for this tenant\n", t.Name, s.Service)
				continue
			case url == "":
				o.say("%s: %s not deployed (no URL), skipped\n", t.Name, s.Service)
				continue
			case !identityReady:
				fail(t, string(s.Service), errors.New("skipped: the tenant is not ready in identity"))
				continue
			}
			var msg string
			if err := o.retry(ctx, func() (err error) {
				msg, err = onboard.Provision(ctx, o.prov, s, url, t)
				return err
			}); err != nil {
				fail(t, string(s.Service), err)
				continue
			}
			o.say("%s: %s\n", t.Name, msg)
		}
	}
	return issued, errors.Join(errs...)
}

// retry runs step until it succeeds, fails for a reason other than an unavailable dependency, or
// o.wait has passed: a service that has just started may not answer yet.
func (o *onboarder) retry(ctx context.Context, step func() error) error {
	deadline := time.Now().Add(o.wait)
	for {
		err := step()
		if err == nil || apperr.KindOf(err) != apperr.KindUnavailable || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(time.Second):
		}
	}
}
