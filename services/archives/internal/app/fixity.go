package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/telemetry"
	"egov.vn/platform/services/archives/internal/domain"
)

// FixityReport sums up one run of the fixity job.
type FixityReport struct {
	Checked int
	Alerts  []domain.FixityAlert
}

// CheckFixity re-reads up to n files whose check is due, of every tenant, and compares each
// with its recorded SHA-256. Replicas may run it together: each file is claimed by a
// conditional update before it is read, so no two check the same file. A version that is gone,
// or whose bytes differ, or a key someone overwrote or deleted outside the archive, raises an
// alert row and a "fixity-failed" event in one transaction.
func (a *App) CheckFixity(ctx context.Context, n int) (_ FixityReport, err error) {
	ctx, span := a.tracer.Start(ctx, "archives.App.CheckFixity")
	defer telemetry.End(span, &err)
	now := a.now()
	due, err := a.store.ClaimFixity(ctx, now, a.cfg.FixityLease, n)
	if err != nil {
		return FixityReport{}, err
	}
	var rep FixityReport
	for _, f := range due {
		problem, actual, detail, err := a.verify(ctx, f)
		if err != nil {
			// MinIO unreachable: the claim lapses after the lease and the file is checked again.
			return rep, err
		}
		rep.Checked++
		if problem == "" {
			if err := a.store.FixityPassed(ctx, f.ID, now, now.Add(a.cfg.FixityInterval)); err != nil {
				return rep, err
			}
			continue
		}
		alert := domain.FixityAlert{ID: newID(), Tenant: f.Tenant, FileID: f.ID, DocumentID: f.DocumentID, Key: f.Key,
			VersionID: f.VersionID, Problem: problem, ExpectedSHA256: f.SHA256, ActualSHA256: actual, Detail: detail, DetectedAt: now}
		err = a.store.Transact(ctx, func(ctx context.Context) error {
			if err := a.store.AddAlert(ctx, alert); err != nil {
				return err
			}
			evt, err := documentEvent(f.Tenant, "fixity-failed", f.DocumentID, fixityFailedData{DocumentID: f.DocumentID,
				Tenant: f.Tenant, FileID: f.ID, ObjectKey: f.Key, VersionID: f.VersionID, Problem: string(problem),
				ExpectedSHA256: f.SHA256, ActualSHA256: actual, DetectedAt: now})
			if err != nil {
				return err
			}
			if err := a.store.Publish(ctx, evt); err != nil {
				return err
			}
			// Checked again at the next interval: an alert repeats until someone restores the file.
			return a.store.FixityFailed(ctx, f.ID, now.Add(a.cfg.FixityInterval))
		})
		if err != nil {
			return rep, err
		}
		rep.Alerts = append(rep.Alerts, alert)
	}
	return rep, nil
}

// verify reads one version and reports what is wrong with it, if anything.
func (a *App) verify(ctx context.Context, f domain.StoredFile) (problem domain.FixityProblem, actual, detail string, err error) {
	body, err := a.objects.Open(ctx, f.Bucket, f.Key, f.VersionID)
	if errors.Is(err, domain.ErrObjectMissing) {
		return domain.FixityMissing, "", "phiên bản " + f.VersionID + " không còn trong kho", nil
	}
	if err != nil {
		return "", "", "", err
	}
	h := sha256.New()
	_, err = io.Copy(h, body)
	_ = body.Close()
	if err != nil {
		if apperr.KindOf(err) == apperr.KindUnavailable {
			return "", "", "", err
		}
		// MinIO found the stored bytes unreadable (bitrot it could not heal).
		return domain.FixityMismatch, "", "không đọc được nội dung: " + err.Error(), nil
	}
	actual = hex.EncodeToString(h.Sum(nil))
	if actual != f.SHA256 {
		return domain.FixityMismatch, actual, fmt.Sprintf("SHA-256 %s khác bản ghi", actual), nil
	}
	latest, err := a.objects.Latest(ctx, f.Bucket, f.Key)
	switch {
	case errors.Is(err, domain.ErrObjectMissing):
		return domain.FixityOverwritten, actual, "tệp đã bị xóa ngoài hệ thống (delete marker)", nil
	case err != nil:
		return "", "", "", err
	}
	if known, err := a.knownVersion(ctx, f, latest); err != nil {
		return "", "", "", err
	} else if !known {
		return domain.FixityOverwritten, actual, "có phiên bản mới " + latest + " không do hệ thống ghi", nil
	}
	return "", actual, "", nil
}

// knownVersion reports whether version of f's key is one the archive itself stored.
func (a *App) knownVersion(ctx context.Context, f domain.StoredFile, version string) (bool, error) {
	if version == f.VersionID {
		return true, nil
	}
	siblings, err := a.store.VersionsOf(ctx, f.Tenant, f.Key)
	if err != nil {
		return false, err
	}
	for _, v := range siblings {
		if v == version {
			return true, nil
		}
	}
	return false, nil
}

// Alerts lists the fixity alerts of the caller's unit.
func (a *App) Alerts(ctx context.Context, who platform.Actor) (_ []domain.FixityAlert, err error) {
	ctx, span := a.tracer.Start(ctx, "archives.App.Alerts")
	defer telemetry.End(span, &err)
	if err := signedIn(who); err != nil {
		return nil, err
	}
	if !who.HasAny(platform.RoleArchiveClerk, platform.RoleTenantAdmin, platform.RolePlatformAdmin) {
		return nil, apperr.Forbidden("fixity alerts are for clerks and administrators")
	}
	return a.store.Alerts(ctx)
}
