package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
	"gorm.io/gorm"

	"egov.vn/platform/libs/config"
	"egov.vn/platform/libs/web"
)

// ServiceConfig is what every relying-party service reads about identity and its own keys. Embed
// it in the service's Config beside config.Common; the variables get the service's prefix
// (DOSSIERS_OIDC_ISSUER, ...). The defaults run the local stack.
type ServiceConfig struct {
	// OIDCIssuer is identity's public issuer URL, as browsers reach it.
	OIDCIssuer string `env:"OIDC_ISSUER" envDefault:"http://localhost:8080/auth"`
	// OIDCClientID is the service's client at identity; default the service's name.
	OIDCClientID string `env:"OIDC_CLIENT_ID"`
	// OIDCClientSecret is that client's secret (code flow for pages, client credentials for
	// calls to other services and for reading the tenant tree).
	OIDCClientSecret string `env:"OIDC_CLIENT_SECRET" secret:"true"`
	// OIDCInternalURL is identity's issuer URL as reached from inside the cluster
	// (http://identity.egov.svc:8080/auth) when the public name does not resolve there; tokens,
	// keys and the tenant tree are fetched from it. Default OIDCIssuer.
	OIDCInternalURL string `env:"OIDC_INTERNAL_URL"`
	// SecretKey (64 hex characters) is the root of the service's cookie and flash keys; every
	// replica needs the same. When unset, SecretKeyFile is read or created (local stack).
	SecretKey string `env:"SECRET_KEY" secret:"true"`
	// SecretKeyFile defaults to var/<service>-secret.key.
	SecretKeyFile string `env:"SECRET_KEY_FILE"`
}

// Validate checks the formats; embed its result in the service's own Validate.
func (c ServiceConfig) Validate() error {
	var errs []error
	for name, v := range map[string]string{"OIDC_ISSUER": c.OIDCIssuer, "OIDC_INTERNAL_URL": c.OIDCInternalURL} {
		if v == "" && name == "OIDC_INTERNAL_URL" {
			continue
		}
		if u, err := url.Parse(v); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, config.Invalid(name, "must be identity's absolute issuer URL, e.g. https://dichvucong.example.gov.vn/auth"))
		}
	}
	errs = append(errs, config.CheckRootKey("SECRET_KEY", c.SecretKey))
	return errors.Join(errs...)
}

// Keys are a service's page secrets, derived from its root key.
type Keys struct {
	Flash, CookieHash, CookieBlock []byte
}

// Keys derives the service's page keys from SECRET_KEY (or its file, created once).
func (c ServiceConfig) Keys(service string) (Keys, error) {
	file := c.SecretKeyFile
	if file == "" {
		file = "var/" + service + "-secret.key"
	}
	root, err := config.RootKey(c.SecretKey, file)
	if err != nil {
		return Keys{}, fmt.Errorf("%s: secret key: %w", service, err)
	}
	return Keys{Flash: config.DeriveKey(root, service, "flash"), CookieHash: config.DeriveKey(root, service, "cookie hash"),
		CookieBlock: config.DeriveKey(root, service, "cookie block")}, nil
}

// ServiceOptions are what NewService needs besides the config.
type ServiceOptions struct {
	// Name is the service's name: the audience its API requires, its default client id.
	Name string
	// PublicBaseURL is the service's public URL with its prefix (config.Common.PublicBaseURL).
	PublicBaseURL string
	// DB keeps ended sessions for back-channel logout, shared by the replicas.
	DB *gorm.DB
	// Shell renders the sign-in flow's error pages; may be nil for an API-only service.
	Shell *web.Shell
	// Keys from ServiceConfig.Keys.
	Keys Keys
	// HTTPClient calls identity; default a traced client with a 10 s timeout.
	HTTPClient *http.Client
}

// Service is a relying party's whole connection to identity: the API's bearer verifier, the
// pages' sign-in, the service's own client-credentials client, and the tenant tree.
type Service struct {
	Verifier  *Verifier
	Web       *Web
	Directory *Directory
	client    *http.Client
}

// NewService builds the verifier, the pages' sign-in and the directory. Nothing is fetched from
// identity yet, so a service starts while identity is still starting.
func NewService(ctx context.Context, cfg ServiceConfig, o ServiceOptions) (*Service, error) {
	if o.Name == "" || o.PublicBaseURL == "" || o.DB == nil {
		return nil, errors.New("auth.NewService: Name, PublicBaseURL and DB are required")
	}
	issuer := strings.TrimSuffix(cfg.OIDCIssuer, "/")
	internal := strings.TrimSuffix(cfg.OIDCInternalURL, "/")
	if internal == "" {
		internal = issuer
	}
	clientID := cfg.OIDCClientID
	if clientID == "" {
		clientID = o.Name
	}
	base := httpClient(o.HTTPClient)
	ended, err := NewEndedSessions(ctx, o.DB)
	if err != nil {
		return nil, err
	}
	// The API's tokens die with their session as the pages' cookies do: one record of ends.
	vcfg := VerifierConfig{Issuer: issuer, Audience: o.Name, JWKSURL: internal + "/keys", HTTPClient: base, Ended: ended}
	// Revocations are learnt by introspection, as this service's client. Identity answers a
	// client only about tokens addressed to it, so this needs the client id to be the API's
	// audience (as the charts and egov-dev set it); otherwise every token would look revoked.
	if cfg.OIDCClientSecret != "" && clientID == o.Name {
		vcfg.Introspector = &HTTPIntrospector{URL: internal + "/oauth/introspect", ClientID: clientID, ClientSecret: cfg.OIDCClientSecret,
			HTTPClient: base}
	}
	verifier, err := NewVerifier(ctx, vcfg)
	if err != nil {
		return nil, err
	}
	w, err := NewWeb(ctx, WebConfig{Issuer: issuer, ClientID: clientID, ClientSecret: cfg.OIDCClientSecret, BaseURL: o.PublicBaseURL,
		CookieHashKey: o.Keys.CookieHash, CookieBlockKey: o.Keys.CookieBlock, InsecureHTTP: strings.HasPrefix(o.PublicBaseURL, "http://"),
		Ended: ended, Shell: o.Shell, HTTPClient: base,
		// The browser goes to the public endpoints; the back end talks to the internal ones.
		AuthURL: issuer + "/authorize", EndSessionURL: issuer + "/end_session", TokenURL: internal + "/oauth/token", JWKSURL: internal + "/keys"})
	if err != nil {
		return nil, err
	}
	cc := &clientcredentials.Config{ClientID: clientID, ClientSecret: cfg.OIDCClientSecret, TokenURL: internal + "/oauth/token",
		AuthStyle: oauth2.AuthStyleInHeader}
	s := &Service{Verifier: verifier, Web: w}
	if cfg.OIDCClientSecret == "" {
		s.client = &http.Client{Transport: missingSecret{name: o.Name}}
	} else {
		// The token source caches its token until shortly before it expires and is safe for
		// concurrent use; the context only carries the traced client it fetches tokens with.
		s.client = cc.Client(context.WithValue(context.WithoutCancel(ctx), oauth2.HTTPClient, base))
		s.client.Timeout = base.Timeout
	}
	s.Directory = NewDirectory(s.client, internal+"/api/v1/tenants")
	return s, nil
}

// Client calls other services (and identity's tenant tree) with this service's own
// client-credentials token (role `service`). Build requests with their context.
func (s *Service) Client() *http.Client { return s.client }

// missingSecret answers every call with an error that names the variable to set.
type missingSecret struct{ name string }

func (m missingSecret) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, fmt.Errorf("%s: calls to identity and other services need %s_OIDC_CLIENT_SECRET (the service's client secret at identity)",
		m.name, strings.ToUpper(m.name))
}
