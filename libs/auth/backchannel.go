package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/gin-gonic/gin"
)

// maxClockSkew is how far in the future a logout token's iat may be: the clocks of identity and
// this service are never exactly the same.
const maxClockSkew = 2 * time.Minute

// backchannelLogout receives OpenID Connect Back-Channel Logout 1.0 requests from identity: a
// form POST with a logout_token. A valid token ends the sessions it names for every replica
// (EndedSessions) and is answered 200; anything else 400 with an OAuth error body (§2.8).
func (w *Web) backchannelLogout(c *gin.Context) {
	ctx := c.Request.Context()
	log := w.logger(ctx)
	c.Header("Cache-Control", "no-store")
	raw := c.PostForm("logout_token")
	if raw == "" {
		backchannelError(c, "invalid_request", "the request has no logout_token form parameter (application/x-www-form-urlencoded)")
		return
	}
	lt, err := w.verifyLogoutToken(ctx, raw)
	if err != nil {
		log.WarnContext(ctx, "auth: back-channel logout refused", "error", err.Error())
		backchannelError(c, "invalid_request", err.Error())
		return
	}
	if err := w.cfg.Ended.End(ctx, lt.SessionID, lt.Subject, w.now()); err != nil {
		// §2.8: a logout that failed is answered 400 as well; identity may retry.
		log.ErrorContext(ctx, "auth: back-channel logout could not be recorded", "error", err.Error())
		backchannelError(c, "server_error", "the logout could not be recorded; try again")
		return
	}
	log.InfoContext(ctx, "auth: back-channel logout", "subject", lt.Subject, "by_session", lt.SessionID != "")
	c.Status(http.StatusOK)
}

// verifyLogoutToken validates a logout token as §2.6 asks: signature with identity's keys,
// iss, aud (our client id), exp, iat, the back-channel logout event, no nonce, a sid or a sub
// (go-oidc's VerifyLogout does all but iat).
func (w *Web) verifyLogoutToken(ctx context.Context, raw string) (*oidc.LogoutToken, error) {
	ctx, report := withVerifyReport(ctx)
	lt, err := w.idTokens.VerifyLogout(ctx, raw)
	if err != nil {
		if report.err != nil {
			err = report.err // typed and worded better than go-oidc's flattened copy
		}
		return nil, fmt.Errorf("logout token refused: %s", strings.TrimPrefix(err.Error(), "oidc: "))
	}
	switch {
	case lt.IssuedAt.IsZero():
		return nil, errors.New("logout token refused: it has no iat claim")
	case lt.IssuedAt.After(w.now().Add(maxClockSkew)):
		return nil, errors.New("logout token refused: its iat is in the future; check the clocks of identity and this service")
	}
	return lt, nil
}

func backchannelError(c *gin.Context, code, description string) {
	c.JSON(http.StatusBadRequest, gin.H{"error": code, "error_description": description})
	c.Abort()
}
