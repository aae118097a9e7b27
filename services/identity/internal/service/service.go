// Package service is identity's composition root: it builds the stores, the use cases, the
// OpenID Provider, the pages and the admin API from the configuration and the bootstrap
// runtime, and puts their routes on one engine.
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
	"go.opentelemetry.io/otel/trace"
	"gorm.io/gorm"

	"egov.vn/platform/libs/auth"
	"egov.vn/platform/libs/config"
	"egov.vn/platform/libs/httpapi"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/store"
	"egov.vn/platform/services/identity/api"
	"egov.vn/platform/services/identity/internal/adapters"
	"egov.vn/platform/services/identity/internal/app"
	"egov.vn/platform/services/identity/internal/ports/adminapi"
	"egov.vn/platform/services/identity/internal/ports/oidcop"
	"egov.vn/platform/services/identity/internal/ports/pages"
)

// Identity is the assembled service.
type Identity struct {
	App      *app.Service
	Keys     *adapters.KeyRing
	Provider *oidcop.Provider
	Pages    *pages.Pages
	Admin    *adminapi.API
	Verifier *auth.Verifier
	Issuer   string
	Prefix   string
	log      *slog.Logger
	db       *gorm.DB
}

// Deps are what the runtime provides.
type Deps struct {
	DB     *gorm.DB
	Log    *slog.Logger
	Tracer trace.Tracer
	// Now is the clock of the use cases and the key ring; nil is time.Now. Tests move it.
	Now func() time.Time
	// SelfURL is how identity reaches its own HTTP listener (for its admin API's key set), e.g.
	// http://127.0.0.1:8081; derived from HTTP_ADDR when empty.
	SelfURL string
	// HTTPClient sends back-channel logout; nil gets one with a 2 s timeout per attempt.
	HTTPClient *http.Client
}

// New assembles identity, migrates its tables and ensures the root tenant, the bootstrap
// administrator, the operator's client and the seed.
func New(ctx context.Context, cfg Config, d Deps) (*Identity, error) {
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
	derive := func(purpose string) []byte { return config.DeriveKey(root, "identity", purpose) }
	if err := adapters.Migrate(ctx, d.DB); err != nil {
		return nil, err
	}
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
	pg, err := pages.New(a, pages.Config{
		Prefix: prefix, Issuer: issuer, CallbackURL: provider.CallbackURL,
		CookieHashKey: derive("cookie hash"), CookieBlockKey: derive("cookie block"), FlashKey: derive("flash"),
		SessionLifetime: cfg.SessionLifetime, InsecureHTTP: u.Scheme == "http", Logger: d.Log,
	})
	if err != nil {
		return nil, err
	}
	self := d.SelfURL
	if self == "" {
		self = selfURL(cfg.HTTPAddr)
	}
	// The admin API verifies identity's own tokens like any relying party, reading the key set
	// from its own listener rather than through the public address.
	verifier, err := auth.NewVerifier(ctx, auth.VerifierConfig{Issuer: issuer, Audience: AdminAudience, JWKSURL: self + prefix + "/keys"})
	if err != nil {
		return nil, err
	}
	id := &Identity{App: a, Keys: keys, Provider: provider, Pages: pg, Verifier: verifier, Issuer: issuer, Prefix: prefix, log: d.Log, db: d.DB}
	id.Admin = adminapi.New(a, func(c *gin.Context) string {
		if cl, ok := auth.ClaimsFrom(c.Request.Context()); ok {
			return cl.Subject
		}
		return "unknown"
	})
	if err := id.ensureStart(ctx, cfg); err != nil {
		return nil, err
	}
	return id, nil
}

// AdminAudience is the audience the admin API requires: a client that may administer identity
// lists "identity" among its audiences.
const AdminAudience = "identity"

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
func (id *Identity) Routes(r *gin.Engine) {
	id.Provider.Mount(r)
	id.Pages.Mount(r)
	v1 := r.Group(id.Prefix+"/api/v1", auth.Middleware(id.Verifier))
	id.Admin.MountDirectory(v1.Group("", auth.RequireRole(platform.RolePlatformAdmin, platform.RoleService)))
	id.Admin.Mount(v1.Group("", auth.RequireRole(platform.RolePlatformAdmin)))
	r.GET(id.Prefix+"/openapi.json", httpapi.OpenAPIHandler(api.OpenAPI))
	r.GET(id.Prefix+"/", func(c *gin.Context) { c.Redirect(http.StatusSeeOther, id.Prefix+"/account") })
}

// RunMaintenance rotates keys when due and purges expired state until ctx ends.
func (id *Identity) RunMaintenance(ctx context.Context) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		if _, err := id.Keys.Signing(ctx); err != nil && ctx.Err() == nil {
			id.log.ErrorContext(ctx, "signing key check failed", "error", err)
		}
		if err := id.App.Purge(ctx); err != nil && ctx.Err() == nil {
			id.log.ErrorContext(ctx, "purging expired state failed", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
