// Package service is identity's composition root: it builds the stores, the use cases, the
// OpenID Provider, the pages and the admin API from the configuration and the bootstrap
// runtime (bootstrap.Deps), and puts their routes on one engine.
package service

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"gorm.io/gorm"

	"egov.vn/platform/libs/auth"
	"egov.vn/platform/libs/bootstrap"
	"egov.vn/platform/libs/config"
	"egov.vn/platform/libs/httpapi"
	"egov.vn/platform/libs/idempotency"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/store"
	"egov.vn/platform/services/identity/api"
	"egov.vn/platform/services/identity/internal/adapters"
	"egov.vn/platform/services/identity/internal/app"
	adminapi "egov.vn/platform/services/identity/internal/ports/api"
	"egov.vn/platform/services/identity/internal/ports/oidcop"
	"egov.vn/platform/services/identity/internal/ports/pages"
	"egov.vn/platform/services/identity/internal/ports/pages/i18n"
)

// Service is identity assembled: the use cases behind the OpenID Provider, the pages and the
// admin API.
type Service struct {
	App      *app.App
	Keys     *adapters.KeyRing
	Provider *oidcop.Provider
	Pages    *pages.Pages
	Admin    *adminapi.API
	Verifier *auth.Verifier
	Issuer   string
	Prefix   string
	// idempotency guards the admin API's changes (a retried rotate-secret must not rotate twice).
	idempotency *idempotency.Guard
	// departures disables the accounts of people HR recorded as having left; nil without NATS
	// (tests that build bootstrap.Deps without JetStream).
	departures *adapters.DeparturesConsumer
	db         *gorm.DB
	log        *slog.Logger
}

// New assembles identity from what the runtime opened, migrates its tables and ensures the root
// tenant, the bootstrap administrator, the operator's client and the seed. d.Now is the clock of
// the use cases and the key ring (tests move it); d.HTTPClient sends back-channel logout (nil
// gets one with a 2 s timeout per attempt).
func New(ctx context.Context, cfg Config, d bootstrap.Deps) (*Service, error) {
	u, err := url.Parse(cfg.PublicBaseURL)
	if err != nil {
		return nil, err
	}
	issuer := strings.TrimSuffix(cfg.PublicBaseURL, "/")
	prefix := strings.TrimSuffix(u.Path, "/")
	root, err := cfg.rootSecret()
	if err != nil {
		return nil, fmt.Errorf("identity: secret key: %w", err)
	}
	derive := func(purpose string) []byte { return config.DeriveKey(root, Name, purpose) }
	now := d.Now
	if now == nil {
		now = time.Now
	}
	client := d.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 2 * time.Second} // per attempt; app bounds the whole at 5 s
	}
	keys := adapters.NewKeyRing(d.DB, cfg.KeyRotation, max(cfg.IDTokenLifetime, cfg.AccessTokenLifetime)+time.Minute, now)
	if err := keys.EncryptKeysWith(derive("signing keys")); err != nil {
		return nil, err
	}
	appCfg := app.DefaultConfig()
	appCfg.AccessTokenLifetime, appCfg.IDTokenLifetime = cfg.AccessTokenLifetime, cfg.IDTokenLifetime
	appCfg.RefreshTokenLifetime, appCfg.SessionLifetime = cfg.RefreshTokenLifetime, cfg.SessionLifetime
	appCfg.MaxUserAttempts, appCfg.UserLockout = cfg.MaxFailedSignIns, cfg.Lockout
	appCfg.MaxAddressAttempts, appCfg.AddressLockout = cfg.MaxFailedPerAddress, cfg.Lockout
	appCfg.DevMode = cfg.DevMode
	a := app.New(app.Deps{
		Store:   adapters.NewStore(d.DB),
		Hasher:  adapters.NewPasswordHasher(cfg.Argon2MemoryKiB, cfg.Argon2Iterations, cfg.Argon2Parallelism),
		Secrets: adapters.Secrets{},
		Logout:  adapters.NewBackchannel(issuer, keys, client, d.Log),
		Tracer:  d.Tracer,
		Log:     d.Log,
		Now:     now,
	}, appCfg)

	var cryptoKey [32]byte
	copy(cryptoKey[:], derive("op crypto"))
	provider, err := oidcop.New(oidcop.Config{Issuer: issuer, CryptoKey: cryptoKey, DevMode: cfg.DevMode, Health: store.Probe(d.DB), Logger: d.Log}, a, keys)
	if err != nil {
		return nil, err
	}
	templates, err := pages.Templates()
	if err != nil {
		return nil, fmt.Errorf("identity: pages: %w", err)
	}
	insecure := u.Scheme == "http"
	shell, err := bootstrap.NewShell(prefix, derive("flash"), insecure, d, bootstrap.WebOptions{Title: pages.Title, Pages: templates, Messages: i18n.Catalogue()})
	if err != nil {
		return nil, fmt.Errorf("identity: pages: %w", err)
	}
	pg, err := pages.New(a, pages.Config{
		Prefix: prefix, Issuer: issuer, CallbackURL: provider.CallbackURL,
		CookieHashKey: derive("cookie hash"), CookieBlockKey: derive("cookie block"), Shell: shell,
		SessionLifetime: cfg.SessionLifetime, InsecureHTTP: insecure, Logger: d.Log,
	})
	if err != nil {
		return nil, err
	}
	// The admin API verifies identity's own tokens like any relying party, reading the key set
	// from its own listener (HTTP_ADDR) rather than through the public address.
	// Revocations are read from its own database: the admin API, called by the operator now and
	// then, asks on every request (the shortest interval) rather than every 30 s.
	verifier, err := auth.NewVerifier(ctx, auth.VerifierConfig{Issuer: issuer, Audience: AdminAudience, JWKSURL: selfURL(cfg.HTTPAddr) + prefix + "/keys",
		Introspector: provider, IntrospectionInterval: time.Nanosecond})
	if err != nil {
		return nil, err
	}
	id := &Service{App: a, Keys: keys, Provider: provider, Pages: pg, Admin: adminapi.New(a), Verifier: verifier, Issuer: issuer,
		Prefix: prefix, log: d.Log, db: d.DB,
		idempotency: idempotency.New(d.DB, idempotency.Options{Caller: bootstrap.Caller, Now: now, Logger: d.Log})}
	if d.JetStream != nil {
		id.departures = &adapters.DeparturesConsumer{DB: d.DB, JS: d.JetStream, App: a, Stream: bootstrap.Stream,
			Durable: "identity-departures", Log: d.Log}
	}
	if err := id.ensureStart(ctx, cfg); err != nil {
		return nil, err
	}
	return id, nil
}

// AdminAudience is the audience the admin API requires: a client that may administer identity
// lists "identity" among its audiences.
const AdminAudience = Name

func selfURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://127.0.0.1:8080"
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// Routes puts the protocol endpoints, the pages and the admin API on r.
func (id *Service) Routes(r *gin.Engine) {
	id.Provider.Routes(r)
	id.Pages.Routes(r)
	id.Admin.Routes(r.Group(id.Prefix+"/api/v1", auth.Middleware(id.Verifier), auth.RequireActor(everyTenant, httpapi.RespondError),
		id.idempotency.API(httpapi.RespondError)))
	r.GET(id.Prefix+"/openapi.json", httpapi.OpenAPIHandler(api.OpenAPI))
	r.GET(id.Prefix+"/", func(c *gin.Context) { c.Redirect(http.StatusSeeOther, id.Prefix+"/account") })
}

// everyTenant is the admin API's scope rule: it answers platform administrators and the
// services, across the whole tenant tree, so it sets no tenant scope; its use cases check the
// tenants they touch themselves.
func everyTenant(ctx context.Context, _ platform.Actor) (context.Context, error) { return ctx, nil }

// RunJobs rotates keys when due and purges expired state (and expired idempotency keys), every
// minute, until ctx ends. Beside it runs the departures consumer; if that stops consuming,
// RunJobs returns its error, so the process stops rather than leave departed people able to
// sign in.
func (id *Service) RunJobs(ctx context.Context) error {
	var consumed chan error // nil without the consumer: never ready
	if id.departures != nil {
		consumed = make(chan error, 1)
		go func() { consumed <- id.departures.Run(ctx) }()
	}
	return id.maintain(ctx, consumed)
}

// maintain is RunJobs' periodic work; it returns what consumed yields, if it yields first.
func (id *Service) maintain(ctx context.Context, consumed <-chan error) error {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		if _, err := id.Keys.Signing(ctx); err != nil && ctx.Err() == nil {
			id.log.ErrorContext(ctx, "signing key check failed", "error", err)
		}
		if err := id.App.Purge(ctx); err != nil && ctx.Err() == nil {
			id.log.ErrorContext(ctx, "purging expired state failed", "error", err)
		}
		if _, err := idempotency.Purge(ctx, id.db, id.App.Now()); err != nil && ctx.Err() == nil {
			id.log.ErrorContext(ctx, "purging expired idempotency keys failed", "error", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case err := <-consumed:
			return err
		case <-t.C:
		}
	}
}
