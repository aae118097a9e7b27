package browser

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"egov.vn/platform/libs/testenv"
)

// Session is one person's browser on the platform: a Chromium tab with helpers that fail the
// test with what was expected, and screenshots numbered in the order they are taken.
type Session struct {
	t      testing.TB
	ctx    context.Context
	origin string
	prefix string // screenshot names start with it
	shots  int
}

// NewSession drives the tab ctx (from Chromium) against origin; screenshots go to the test
// artifacts as <prefix>NN-<name>.png.
func NewSession(t testing.TB, ctx context.Context, origin, prefix string) *Session {
	return &Session{t: t, ctx: ctx, origin: strings.TrimSuffix(origin, "/"), prefix: prefix}
}

// Context is the tab, for chromedp actions the helpers do not cover.
func (s *Session) Context() context.Context { return s.ctx }

// Do runs actions, failing the test with what was being done.
// One step waits StepTimeout at most for what it expects.
func (s *Session) Do(what string, actions ...chromedp.Action[chromedp.Void]) {
	s.t.Helper()
	ctx, cancel := s.step()
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		s.Shot("failed")
		if errors.Is(err, context.DeadlineExceeded) && s.ctx.Err() == nil {
			err = fmt.Errorf("what it waits for did not come within %s (the screenshot shows the page): %w", StepTimeout, err)
		}
		s.t.Fatalf("%s: %v", what, err)
	}
}

// StepTimeout bounds one step of a Session (Do and the helpers built on it): a page that never
// shows what the test waits for (a sign-in form that does not come because a session was not
// ended) fails the test in minutes, with a screenshot, instead of holding it until the whole
// walk's deadline.
const StepTimeout = 2 * time.Minute

// step is the context of one step: the session's, bounded by StepTimeout.
func (s *Session) step() (context.Context, context.CancelFunc) {
	return context.WithTimeout(s.ctx, StepTimeout)
}

// Open navigates to path below the origin and waits for sel (e.g. "main").
func (s *Session) Open(path, sel string) {
	s.t.Helper()
	s.Do("open "+path, chromedp.Navigate(s.origin+path), chromedp.WaitVisible(chromedp.CSS(sel)))
}

// SignIn opens path, which sends a signed-out person to identity's sign-in form, signs in as
// username and waits for sel on the page they land on.
func (s *Session) SignIn(path, username, password, sel string) {
	s.t.Helper()
	s.Do("sign in as "+username+" at "+path,
		chromedp.Navigate(s.origin+path),
		chromedp.WaitVisible(chromedp.CSS(`input[name="username"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), username),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), password),
		chromedp.Submit(chromedp.CSS(`input[name="password"]`)),
		// The sign-in page itself has sel ("main"), so first wait until it is left behind.
		chromedp.WaitNotPresent(chromedp.CSS(`input[name="password"]`)),
		chromedp.WaitVisible(chromedp.CSS(sel)))
}

// SignOut presses the page's sign-out button (the shell's, which ends the session at identity
// and so in every service) and waits for a page without one: a service's button lands on the
// sign-in form, identity's own (its administration pages) on its "signed out" page. A page
// without a button signs out through identity's sign-out page.
func (s *Session) SignOut() {
	s.t.Helper()
	if Eval[bool](s, `!!document.querySelector("form.logout button")`) {
		s.Do("sign out", chromedp.Click(chromedp.CSS("form.logout button")),
			chromedp.WaitNotPresent(chromedp.CSS("form.logout button")), chromedp.WaitReady(chromedp.CSS("body")))
		return
	}
	// The confirmation page's body is marked before the click and the wait is for a body without
	// the mark: its own body is ready at once, and a navigation started while the sign-out post is
	// still in flight aborts one of the two (net::ERR_ABORTED, then a hang until the deadline).
	s.Do("sign out at identity", chromedp.Navigate(s.origin+"/auth/logout"),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/logout"] button[type="submit"]`)),
		chromedp.Evaluate[chromedp.Void](`document.body.dataset.signingOut = '1'`),
		chromedp.Click(chromedp.CSS(`form[action$="/logout"] button[type="submit"]`)),
		chromedp.WaitReady(chromedp.CSS(`body:not([data-signing-out])`)))
}

// Fill types value into the field sel.
func (s *Session) Fill(sel, value string) {
	s.t.Helper()
	s.Do("fill "+sel, chromedp.SendKeys(chromedp.CSS(sel), value))
}

// Click clicks sel and waits for then to be visible.
func (s *Session) Click(sel, then string) {
	s.t.Helper()
	s.Do("click "+sel, chromedp.Click(chromedp.CSS(sel)), chromedp.WaitVisible(chromedp.CSS(then)))
}

// Text is the visible text of sel.
func (s *Session) Text(sel string) string {
	s.t.Helper()
	ctx, cancel := s.step()
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		s.t.Fatalf("text of %s: %v", sel, err)
	}
	return v
}

// Eval evaluates a JavaScript expression.
func Eval[T any](s *Session, js string) T {
	s.t.Helper()
	ctx, cancel := s.step()
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		s.t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// Location is the page's URL.
func (s *Session) Location() string {
	s.t.Helper()
	ctx, cancel := s.step()
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		s.t.Fatal(err)
	}
	return v
}

// Shot saves a full-page screenshot into the test artifacts.
func (s *Session) Shot(name string) {
	s.t.Helper()
	ctx, cancel := s.step()
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // quality 100 gives PNG, below it JPEG
	if err != nil {
		s.t.Logf("screenshot %s: %v", name, err)
		return
	}
	s.shots++
	testenv.WriteArtifact(s.t, fmt.Sprintf("%s%02d-%s.png", s.prefix, s.shots, name), png)
}

// ShotPhone saves a full-page screenshot of the page as a 390 px phone shows it (the size
// CheckAccessible checks), then gives the tab its own window size back.
func (s *Session) ShotPhone(name string) {
	s.t.Helper()
	phone := axeSizes[0]
	for _, size := range axeSizes {
		if size.phone {
			phone = size
		}
	}
	if err := chromedp.Do(s.ctx, chromedp.EmulateViewport(phone.width, phone.height, chromedp.EmulateMobile, chromedp.EmulateTouch)); err != nil {
		s.t.Logf("phone screenshot %s: %v", name, err)
		return
	}
	s.Shot(name + "-390px")
	if err := chromedp.Do(s.ctx, clearViewport); err != nil {
		s.t.Errorf("back to the window size after the phone screenshot %s: %v", name, err)
	}
}
