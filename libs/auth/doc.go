// Package auth owns how every service except identity knows who is calling: it is the relying
// party side of the platform's single sign-on. For APIs it verifies the identity service's ES256
// bearer access tokens (go-oidc, audience checked, with a bounded cache of tokens already
// verified) and puts the caller's [Claims] in the request context; [RequireRole] guards routes by
// role. For HTML pages it runs the authorization-code flow with PKCE, keeps the service's own
// encrypted session cookie, and receives OpenID Connect back-channel logout so that signing out
// anywhere ends the session here too, on every replica ([EndedSessions]).
//
// Nothing here fetches from identity at construction: identity may start after the service, so
// keys and endpoints are read on first use and read again when they fail.
package auth
