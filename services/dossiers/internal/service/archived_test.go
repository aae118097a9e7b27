package service_test

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"egov.vn/platform/libs/devkit/browser"
	"egov.vn/platform/libs/store/storetest"
	"egov.vn/platform/libs/testenv"
	"egov.vn/platform/services/dossiers/internal/app"
	"egov.vn/platform/services/identity/identitytest"
)

// TestDossierPageLinksTheArchivedResult (issue 15 item 3): once the archives registered a
// dossier's result (their "registered" event, here recorded as the consumer records it), the
// dossier's page links the archive record by its notation.
func TestDossierPageLinksTheArchivedResult(t *testing.T) {
	h := start(t, storetest.SQLite(t))
	h.provision("xa-dong-tan", "12700", "UBND xã Đông Tân", "commune", "huyen-dong-hung")
	h.IDP.Person(t, identitytest.Person{Tenant: "xa-dong-tan", Username: "hoa.nt", Name: "Nguyễn Thị Hoa", Roles: []string{"dossier.receive"}})
	var d struct {
		ID string `json:"id"`
	}
	if st := h.do("POST", "/dossiers", h.token("xa-dong-tan", "hoa.nt", "dossier.receive"), birthIntake(), &d); st != 201 {
		t.Fatalf("intake: %d", st)
	}
	docID := uuid.NewString()
	if err := h.Svc.App.RecordArchived(t.Context(), app.ArchiveLink{DossierID: d.ID, Tenant: "xa-dong-tan", DocumentID: docID,
		Year: 2026, Number: 12, Notation: "12/QĐ-UBND", RegisteredAt: time.Now()}); err != nil {
		t.Fatal(err)
	}

	ctx := browser.Chromium(t, time.Minute, chromedp.WindowSize(1280, 1200))
	if err := chromedp.Do(ctx, chromedp.Navigate(h.Base+"/ho-so/"+d.ID), chromedp.WaitVisible(chromedp.CSS(`input[name="username"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), "hoa.nt"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), h.IDP.Password),
		chromedp.Submit(chromedp.CSS(`input[name="password"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#archive-record`)),
	); err != nil {
		t.Fatalf("the dossier's page: %v", err)
	}
	if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		testenv.WriteArtifact(t, "dossiers-luu-tru-ket-qua.png", png)
	}
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#archive-record`)))
	if err != nil {
		t.Fatal(err)
	}
	attrs, err := chromedp.Run(ctx, chromedp.Attributes(chromedp.CSS(`#archive-record`)))
	if err != nil {
		t.Fatal(err)
	}
	if text != "Văn bản đi số 12/QĐ-UBND, sổ năm 2026" || attrs["href"] != "/archives/documents/"+docID {
		t.Errorf("the archive link reads %q and goes to %q", text, attrs["href"])
	}
}
