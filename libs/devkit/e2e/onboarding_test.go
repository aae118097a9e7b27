//go:build e2e

package e2e_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"go.yaml.in/yaml/v3"

	"egov.vn/platform/libs/devkit/browser"
	"egov.vn/platform/libs/devkit/e2e"
	"egov.vn/platform/libs/platform"
)

// TestE2EOnboarding is issue 17's Chromium walk, on each database: a NEW commune is onboarded
// through the same `operator onboard` that `make run` runs for the demo units, as a real unit is
// (its administrator gets a one-time password, not the demo one). The administrator signs in
// with it, sets their own password, creates a reception officer (dossier.receive) and reads
// the one-time password off the hand-over slip; the officer signs in with it, sets their own
// password and receives a citizen's dossier at the desk of the new commune. Every page passed
// is checked with axe (desktop and phone) and photographed into the test artifacts.
func TestE2EOnboarding(t *testing.T) {
	for _, db := range e2e.DBs {
		t.Run(string(db), func(t *testing.T) {
			s := e2e.Start(t, db)
			onboarding(t, s)
		})
	}
}

// The new commune: a unit the demo data does not have, below the demo district.
const (
	newCommune      = "xa-dong-phong"
	newCommuneAdmin = "lien.nt"
	newOfficer      = "son.tv"
)

const newCommuneManifest = `apiVersion: platform.egov.vn/v1alpha1
kind: Tenant
metadata: {name: xa-dong-phong}
spec:
  code: "12706"
  displayName: UBND xã Đông Phong
  kind: commune
  parent: huyen-dong-hung
  admins: [{username: lien.nt, name: Nguyễn Thị Liên, email: lien.nt@dongphong.gov.vn}]
  quotas: {archiveStorageGiB: 1}
  archiveRetention: {mode: Governance, days: 1}
`

func onboarding(t *testing.T, s *e2e.Stack) {
	if s.Onboard == nil {
		t.Fatal("the stack offers no onboarding of more units (devstack.Ready.Onboard)")
	}
	// 1. Onboard the commune the way `make run` onboards its demo units.
	dir := t.TempDir()
	manifest, credsFile := filepath.Join(dir, "tenant.yaml"), filepath.Join(dir, "credentials.yaml")
	if err := os.WriteFile(manifest, []byte(newCommuneManifest), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	if err := s.Onboard(ctx, manifest, credsFile); err != nil {
		t.Fatalf("onboarding %s: %v", newCommune, err)
	}
	raw, err := os.ReadFile(credsFile)
	if err != nil {
		t.Fatalf("the onboarding wrote no credentials: %v", err)
	}
	var issued map[string]map[string]string
	if err := yaml.Unmarshal(raw, &issued); err != nil {
		t.Fatal(err)
	}
	adminOneTime := issued[newCommune]["password/"+newCommuneAdmin]
	if adminOneTime == "" {
		t.Fatalf("no one-time password for %s among the onboarding's credentials (%d units)", newCommuneAdmin, len(issued))
	}

	bctx := browser.Chromium(t, 10*time.Minute, chromedp.WindowSize(1280, 1200))
	b := browser.NewSession(t, bctx, s.Origin, fmt.Sprintf("e2e-onboarding-%s-", s.DB))

	// 2. The administrator signs in with the one-time password and must set their own.
	b.SignIn("/auth/account", newCommuneAdmin, adminOneTime, `input[name="new_password"]`)
	b.Shot("admin-new-password")
	b.Accessible("the administrator's new-password page")
	setPassword(b, "Dong-Phong-quan-tri-2026", `#admin-link`)
	b.Shot("admin-account")
	b.Accessible("the administrator's account page")

	// 3. The administrator creates a reception officer of the commune and gets the slip.
	// The account page has a main too: wait for the list to replace it, or the shot and the
	// check below may read the page the click is leaving, and the next Open race its navigation.
	b.Do("open the account list", e2e.MarkStale(), chromedp.Click(chromedp.CSS(`#admin-link`)), e2e.WaitNewPage(),
		chromedp.WaitVisible(chromedp.CSS(`main`)))
	b.Shot("admin-accounts")
	b.Accessible("the administrator's account list")
	b.Open("/auth/admin/accounts/new", `#f-username`)
	if unit := browser.Eval[string](b, `document.querySelector('#f-unit').value`); unit != newCommune {
		t.Errorf("the new-account form offers the unit %q first, want the administrator's own %s", unit, newCommune)
	}
	b.Fill(`#f-name`, "Trần Văn Sơn")
	b.Fill(`#f-username`, newOfficer)
	b.Do("choose the reception role", chromedp.Click(chromedp.CSS(`input[name="roles"][value="`+string(platform.RoleDossierReceive)+`"]`)))
	b.Shot("new-officer-form")
	b.Accessible("the new-account form")
	b.Click(`form[action$="/admin/accounts"] button[type="submit"]`, `#one-time-password`)
	officerOneTime := strings.TrimSpace(b.Text(`#one-time-password`))
	if got := strings.TrimSpace(b.Text(`#slip-username`)); got != newOfficer || officerOneTime == "" {
		t.Fatalf("the slip shows %q with a password of %d characters, want %s with one", got, len(officerOneTime), newOfficer)
	}
	b.Shot("officer-slip")
	b.Accessible("the hand-over slip")
	b.SignOut()

	// 4. The officer signs in with the slip's password, sets their own and lands on the desk.
	b.SignIn("/dossiers/tiep-nhan", newOfficer, officerOneTime, `input[name="new_password"]`)
	b.Shot("officer-new-password")
	setPassword(b, "Mot-cua-Dong-Phong-26", `#f-procedure_code`)
	if n := browser.Eval[int](b, `document.querySelectorAll('#f-procedure_code option:not([value=""])').length`); n == 0 {
		b.Shot("empty-catalogue")
		t.Fatalf("the procedure list of %s is empty: the new commune was not provisioned in dossiers", newCommune)
	}
	b.Shot("officer-intake")
	b.Accessible("the new commune's intake form")

	// 5. The officer receives a birth registration (or the first procedure) and gets its receipt.
	code := e2e.Receive(t, b, e2e.BirthRegistration, true,
		e2e.Applicant{Name: "Lê Thị Mai", IDNumber: "034190005678", Phone: "0987654321", Address: "Thôn Phong Lẫm, xã Đông Phong"})
	b.Shot("officer-received")
	b.Accessible("the received dossier")
	t.Logf("%s onboarded; %s created %s, who received dossier %s at %s", newCommune, newCommuneAdmin, newOfficer, code, b.Location())
	b.SignOut()
}

// setPassword fills identity's new-password form (after a one-time password) and waits for sel
// on the page the person was going to.
func setPassword(b *browser.Session, password, sel string) {
	b.Fill(`#f-new_password`, password)
	b.Fill(`#f-confirm_password`, password)
	b.Click(`form[action$="/login/new-password"] button[type="submit"]`, sel)
}
