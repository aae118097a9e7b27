package service_test

import (
	"bytes"
	"errors"
	"net/http"
	"testing"

	"github.com/minio/minio-go/v7"

	"egov.vn/platform/libs/objstore"
)

// TestRegistersIntoABucketOthersMade: the storage contract is one for the operator, dossiers and
// the archives. A tenant's bucket made first by another party (objstore.EnsureBucket, as dossiers
// does on its first scan; or by the operator, with its default retention) is accepted, and the
// document's file lands in it; a bucket made without object lock is refused with nothing kept.
func TestRegistersIntoABucketOthersMade(t *testing.T) {
	h := start(t, options{})
	ctx := t.Context()
	register := func(tenant string) response {
		t.Helper()
		body, ct := multipartBody(outgoing("Quyết định của "+tenant), "qd.pdf", bytes.NewReader(pdf(tenant)))
		return h.do(h.clerk(tenant), http.MethodPost, "/api/v1/documents", body, ct)
	}
	inBucket := func(tenant string, r response) {
		t.Helper()
		mustStatus(t, r, http.StatusCreated, "register in "+tenant)
		v := h.getJSON(h.clerk(tenant), "/api/v1/documents/"+r.json(t)["id"].(string)).json(t)
		files := v["files"].([]any)
		if len(files) != 1 {
			t.Fatalf("%s: files %v", tenant, v["files"])
		}
		n := 0
		for o := range h.minio.ListObjects(ctx, h.bucket(tenant), minio.ListObjectsOptions{Recursive: true}) {
			if o.Err != nil {
				t.Fatal(o.Err)
			}
			n++
		}
		if n != 1 {
			t.Fatalf("%s: %d objects in %s, want the document's file", tenant, n, h.bucket(tenant))
		}
	}

	// As dossiers makes it on a commune's first scan.
	if created, err := objstore.EnsureBucket(ctx, h.minio, h.bucket("xa-dong-tan")); err != nil || !created {
		t.Fatalf("EnsureBucket: created %v, %v", created, err)
	}
	inBucket("xa-dong-tan", register("xa-dong-tan"))

	// As the operator makes it: object lock with a default retention.
	opBucket := h.bucket("xa-dong-la")
	if err := h.minio.MakeBucket(ctx, opBucket, minio.MakeBucketOptions{ObjectLocking: true}); err != nil {
		t.Fatal(err)
	}
	mode, days, unit := minio.Governance, uint(1), minio.Days
	if err := h.minio.SetObjectLockConfig(ctx, opBucket, &mode, &days, &unit); err != nil {
		t.Fatal(err)
	}
	inBucket("xa-dong-la", register("xa-dong-la"))

	// Made by hand without object lock: records there could be deleted, so nothing is stored.
	if err := h.minio.MakeBucket(ctx, h.bucket("huyen-dong-hung"), minio.MakeBucketOptions{}); err != nil {
		t.Fatal(err)
	}
	if r := register("huyen-dong-hung"); r.Status < 500 {
		t.Fatalf("register into a bucket without object lock: %d %s", r.Status, r.Body)
	}
	if _, err := h.ar.Objects.EnsureBucket(ctx, "huyen-dong-hung"); !errors.Is(err, objstore.ErrNoObjectLock) {
		t.Fatalf("EnsureBucket on a bucket without object lock: %v, want ErrNoObjectLock", err)
	}
}
