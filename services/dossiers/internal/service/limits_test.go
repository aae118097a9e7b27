package service_test

import (
	"bytes"
	"net/http"
	"testing"

	"gorm.io/gorm"

	"egov.vn/platform/libs/store/storetest"
	"egov.vn/platform/services/dossiers/internal/domain"
)

// TestUploadBodyLimits: a scan or a result file above the engine-wide 1 MiB cap for JSON goes
// through up to its documented limit (20 MB each), and a larger scan is refused with 413 and
// nothing stored (issue 18, finding 12: scans over 1 MiB were refused).
func TestUploadBodyLimits(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := start(t, db)
		h.provision("xa-dong-tan", "12700", "UBND xã Đông Tân", "commune", "huyen-dong-hung")
		receiver := h.token("xa-dong-tan", "hoa.nt", "dossier.receive", "dossier.handle")
		var d dossierJSON
		if st := h.do("POST", "/dossiers", receiver, birthIntake(), &d); st != 201 {
			t.Fatalf("intake: %d", st)
		}
		scan := append([]byte("%PDF-1.4 "), bytes.Repeat([]byte{'x'}, 3<<20)...)
		if st := h.putScan(d.ID, 0, receiver, scan); st != http.StatusOK {
			t.Fatalf("a 3 MiB scan: %d, want 200", st)
		}
		if st := h.putScan(d.ID, 1, receiver, make([]byte, domain.MaxScanSize+1)); st != http.StatusRequestEntityTooLarge {
			t.Fatalf("a scan over %d MB: %d, want 413", domain.MaxScanSize>>20, st)
		}
		if st, _, _ := h.get("/dossiers/"+d.ID+"/documents/1/file", receiver); st == http.StatusOK {
			t.Fatal("the refused scan was stored")
		}
		// A 3 MiB result file is read whole (the dossier is not yet in process, hence 409, not 413).
		if st := h.attachResult(d.ID, receiver, d.Version, scan, nil); st != http.StatusConflict {
			t.Fatalf("a 3 MiB result file: %d, want 409 (read, then refused for the dossier's state)", st)
		}
	})
}
