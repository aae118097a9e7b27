package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
)

// FlashKind says how a flash message is shown: colour, icon text and whether it is announced at
// once (errors use role="alert", the others role="status").
type FlashKind string

const (
	FlashSuccess FlashKind = "success"
	FlashError   FlashKind = "error"
	FlashInfo    FlashKind = "info"
)

// Label is the word shown before the message, so its kind does not rest on colour alone.
func (k FlashKind) Label() string {
	switch k {
	case FlashSuccess:
		return "Thành công"
	case FlashError:
		return "Lỗi"
	}
	return "Thông báo"
}

// Flash is a one-time message, e.g. "Đã tiếp nhận hồ sơ 000.00.25.H12-261127-0001".
type Flash struct {
	Kind    FlashKind `json:"k"`
	Message string    `json:"m"`
}

// Flash messages travel in a cookie signed with HMAC-SHA256 under Config.FlashKey:
//   - a cookie, not server state, because no service may assume one replica or a shared store;
//   - signed, because a message is shown on an official government page: a cookie planted by a
//     sibling subdomain or a local attacker must not make the page say "call this number";
//   - scoped to the service's prefix, bound to it by the MAC, and short-lived, so it shows on the
//     next page of the same service only, and a copied cookie cannot be replayed later;
//   - not encrypted: the message is for the person who sees it anyway.
const (
	flashCookie     = "egov_flash"
	flashTTL        = 2 * time.Minute
	maxFlashMessage = 500 // runes; keeps the cookie far below the 4 KB browsers accept
)

type flashPayload struct {
	Flashes []Flash `json:"f"`
	Expires int64   `json:"e"`
}

// flashesKey holds flashes added during this request, in the gin context.
const flashesKey = "egov.web.flashes"

// AddFlash queues a message for the next page this person sees in this service, normally right
// before c.Redirect(http.StatusSeeOther, ...). If the current request renders a page instead, the
// message shows there and is not repeated.
func (s *Shell) AddFlash(c *gin.Context, kind FlashKind, message string) {
	if r := []rune(message); len(r) > maxFlashMessage {
		message = string(r[:maxFlashMessage-1]) + "…"
	}
	pending := append(pendingFlashes(c), Flash{Kind: kind, Message: message})
	c.Set(flashesKey, pending)
	s.writeFlashCookie(c, pending)
}

func pendingFlashes(c *gin.Context) []Flash {
	if v, ok := c.Get(flashesKey); ok {
		return v.([]Flash)
	}
	return nil
}

// takeFlashes returns the messages to show on the page being rendered, the ones carried over from
// the previous request first, and makes sure none of them is shown again.
func (s *Shell) takeFlashes(c *gin.Context) []Flash {
	var out []Flash
	ck, err := c.Request.Cookie(flashCookie)
	if err == nil {
		out = append(out, s.verifyFlashes(ck.Value)...)
	}
	pending := pendingFlashes(c)
	out = append(out, pending...)
	if ck != nil || len(pending) > 0 {
		c.Set(flashesKey, []Flash(nil))
		s.writeFlashCookie(c, nil)
	}
	return out
}

// writeFlashCookie replaces any flash cookie already set on this response, so several AddFlash
// calls leave one Set-Cookie header, and nil flashes delete the cookie.
func (s *Shell) writeFlashCookie(c *gin.Context, flashes []Flash) {
	h := c.Writer.Header()
	var kept []string
	for _, v := range h.Values("Set-Cookie") {
		if !strings.HasPrefix(v, flashCookie+"=") {
			kept = append(kept, v)
		}
	}
	h.Del("Set-Cookie")
	for _, v := range kept {
		h.Add("Set-Cookie", v)
	}
	ck := &http.Cookie{Name: flashCookie, Path: s.cookiePath, HttpOnly: true,
		Secure: !s.cfg.InsecureHTTP, SameSite: http.SameSiteLaxMode}
	if len(flashes) == 0 {
		ck.MaxAge = -1
	} else {
		ck.Value = s.signFlashes(flashes, time.Now().Add(flashTTL))
		ck.MaxAge = int(flashTTL / time.Second)
	}
	http.SetCookie(c.Writer, ck)
}

func (s *Shell) flashMAC(payload string) []byte {
	m := hmac.New(sha256.New, s.cfg.FlashKey)
	// The prefix is in the MAC so a cookie copied from one service is worthless in another that
	// happens to share the key.
	m.Write([]byte(flashCookie + "|" + s.cookiePath + "|" + payload))
	return m.Sum(nil)
}

func (s *Shell) signFlashes(flashes []Flash, expires time.Time) string {
	b, _ := json.Marshal(flashPayload{Flashes: flashes, Expires: expires.Unix()}) // plain strings: cannot fail
	payload := base64.RawURLEncoding.EncodeToString(b)
	return payload + "." + base64.RawURLEncoding.EncodeToString(s.flashMAC(payload))
}

// verifyFlashes returns nothing for a forged, expired or malformed cookie: a lost notice is
// harmless, a forged one is not.
func (s *Shell) verifyFlashes(value string) []Flash {
	payload, sig, ok := strings.Cut(value, ".")
	if !ok {
		return nil
	}
	mac, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(mac, s.flashMAC(payload)) {
		return nil
	}
	b, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return nil
	}
	var p flashPayload
	if json.Unmarshal(b, &p) != nil || time.Now().Unix() > p.Expires {
		return nil
	}
	out := p.Flashes[:0]
	for _, f := range p.Flashes {
		if f.Kind == FlashSuccess || f.Kind == FlashError || f.Kind == FlashInfo {
			out = append(out, f)
		}
	}
	return out
}
