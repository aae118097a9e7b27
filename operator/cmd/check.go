package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"egov.vn/platform/operator/internal/adapters/platformapi"
)

// checkUsage is the subcommand's help.
const checkUsage = `usage: operator check [flags]

Checks an installed platform from inside the cluster, as the platform chart's ` + "`helm test`" + ` runs it:
every service answers /readyz (its database, NATS and MinIO reachable), then identity signs the
operator's client in (client credentials). It waits up to --wait for services still starting and
names each one that is not ready. The client secret comes from $OPERATOR_IDENTITY_CLIENT_SECRET
or --identity-client-secret-file, never from a flag.

Flags:
`

// runCheck is `operator check`.
func runCheck() error {
	fs := flag.NewFlagSet("operator check", flag.ContinueOnError)
	identityURL := fs.String("identity-url", env("OPERATOR_IDENTITY_URL", "http://identity:8080/auth"), "identity's issuer URL as reached in the cluster")
	clientID := fs.String("identity-client-id", env("OPERATOR_IDENTITY_CLIENT_ID", "tenant-operator"), "the client to sign in")
	secretFile := fs.String("identity-client-secret-file", "", "file holding the client's secret; else $OPERATOR_IDENTITY_CLIENT_SECRET")
	ready := fs.String("ready", "", "comma-separated readiness URLs, e.g. http://dossiers:8080/readyz")
	wait := fs.Duration("wait", 2*time.Minute, "how long a service may take to become ready")
	fs.Usage = func() {
		_, _ = fmt.Fprint(fs.Output(), checkUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(os.Args[2:]); err != nil {
		return err
	}
	secret, err := secretValue(*secretFile, "OPERATOR_IDENTITY_CLIENT_SECRET")
	if err != nil {
		return err
	}
	if secret == "" {
		return errors.New("the client secret is missing: --identity-client-secret-file or $OPERATOR_IDENTITY_CLIENT_SECRET")
	}
	var urls []string
	for u := range strings.SplitSeq(*ready, ",") {
		if u = strings.TrimSpace(u); u != "" {
			urls = append(urls, u)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), *wait)
	defer cancel()
	return check(ctx, os.Stdout, &http.Client{Timeout: 10 * time.Second}, urls,
		platformapi.Credentials{Issuer: *identityURL, ClientID: *clientID, ClientSecret: secret})
}

// check waits until every URL answers 200, then signs the client in; it reports each step on out.
func check(ctx context.Context, out io.Writer, hc *http.Client, readyURLs []string, creds platformapi.Credentials) error {
	for _, u := range readyURLs {
		if err := waitReady(ctx, hc, u); err != nil {
			return err
		}
		_, _ = fmt.Fprintf(out, "ready: %s\n", u)
	}
	if _, err := platformapi.NewClient(creds, hc).SignIn(); err != nil {
		return fmt.Errorf("sign-in of client %s at %s: %w", creds.ClientID, creds.Issuer, err)
	}
	_, _ = fmt.Fprintf(out, "signed in: client %s at %s\n", creds.ClientID, creds.Issuer)
	return nil
}

// waitReady polls url until it answers 200 or ctx ends; the error names the last answer.
func waitReady(ctx context.Context, hc *http.Client, url string) error {
	last := "no answer"
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return fmt.Errorf("%s: %w", url, err)
		}
		resp, err := hc.Do(req)
		if err == nil {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = fmt.Sprintf("%s %s", resp.Status, strings.TrimSpace(string(body)))
		} else if ctx.Err() == nil {
			last = err.Error()
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s is not ready: %s", url, last)
		case <-time.After(2 * time.Second):
		}
	}
}
