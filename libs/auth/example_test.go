package auth_test

import (
	"context"
	"log"
	"net/http"

	"github.com/gin-gonic/gin"

	"egov.vn/platform/libs/auth"
	"egov.vn/platform/libs/httpapi"
	"egov.vn/platform/libs/store"
	"egov.vn/platform/libs/web"
)

// A service's API: one Verifier per process, the bearer middleware on the API group, roles per
// route.
func ExampleMiddleware() {
	ctx := context.Background()
	verifier, err := auth.NewVerifier(ctx, auth.VerifierConfig{
		Issuer:   "http://localhost:8080/auth",
		Audience: "dossiers",
	})
	if err != nil {
		log.Fatal(err) // a configuration mistake: stop at start
	}
	e := httpapi.NewEngine(httpapi.Options{})
	api := e.Group("/dossiers/api", auth.Middleware(verifier))
	api.POST("/dossiers/:id/approve", auth.RequireRole("dossier.approve"), func(c *gin.Context) {
		claims, _ := auth.ClaimsFrom(c.Request.Context())
		c.JSON(http.StatusOK, gin.H{"approved_by": claims.Subject, "tenant": claims.Tenant})
	})
}

// A service's pages: the auth routes on the engine (the service's CSRF check guards sign-out),
// the session on every page, and sign-in required where pages are not public.
func ExampleWeb() {
	ctx := context.Background()
	db, err := store.Open(ctx, "sqlite://data/dossiers.db")
	if err != nil {
		log.Fatal(err)
	}
	ended, err := auth.NewEndedSessions(ctx, db)
	if err != nil {
		log.Fatal(err)
	}
	shell, err := web.New(web.Config{Service: "Một cửa", Prefix: "/dossiers", FlashKey: []byte("flash-key-of-32-bytes-or-more...")})
	if err != nil {
		log.Fatal(err)
	}
	pagesAuth, err := auth.NewWeb(ctx, auth.WebConfig{
		Issuer:         "http://localhost:8080/auth",
		ClientID:       "dossiers-web",
		ClientSecret:   "from the Tenant's Secret",
		BaseURL:        "http://localhost:8080/dossiers",
		CookieHashKey:  hashKey,  // 32 random bytes from the service's config, the same on every replica
		CookieBlockKey: blockKey, // 32 more
		InsecureHTTP:   true,     // local development only
		Ended:          ended,
		Shell:          shell,
	})
	if err != nil {
		log.Fatal(err)
	}
	// Register at identity: pagesAuth.RedirectURL(), pagesAuth.BackchannelLogoutURL(),
	// pagesAuth.PostLogoutRedirectURL().
	e := httpapi.NewEngine(httpapi.Options{})
	pagesAuth.Mount(e, shell.CSRF())
	pages := e.Group("/dossiers", shell.CSRF(), pagesAuth.Session())
	pages.GET("/receipts/:code", func(c *gin.Context) { /* public: citizens look up a dossier */ })
	staff := pages.Group("", pagesAuth.RequireSignIn())
	staff.GET("/", func(c *gin.Context) { /* the desk's work list */ })
}
