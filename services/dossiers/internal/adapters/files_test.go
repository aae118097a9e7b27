package adapters_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"testing"

	"github.com/minio/minio-go/v7"

	"egov.vn/platform/libs/objstore"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/testenv"
	"egov.vn/platform/services/dossiers/internal/adapters"
)

// TestMinIOFiles streams a scan into a tenant's own bucket of the storage contract
// (tenant-<slug>, made with object lock as the operator makes it) on a real MinIO and reads it
// back; another tenant's bucket does not have it, and a bucket made without object lock is
// refused rather than written to.
func TestMinIOFiles(t *testing.T) {
	srv := testenv.MinIO(t)
	client, err := objstore.New(objstore.Config{Endpoint: srv.Endpoint, AccessKey: srv.AccessKey, SecretKey: srv.SecretKey})
	if err != nil {
		t.Fatal(err)
	}
	prefix := "test-" + randomSuffix() + "-"
	files := adapters.NewMinIOFiles(client, prefix)
	ctx := context.Background()
	scan := make([]byte, 3<<20)
	_, _ = rand.Read(scan)
	sum, err := files.Put(ctx, "xa-dong-tan", "dossiers/d1/0", bytes.NewReader(scan), -1, "application/pdf")
	if err != nil {
		t.Fatal(err)
	}
	want := sha256.Sum256(scan)
	if sum != hex.EncodeToString(want[:]) {
		t.Fatalf("sha256 %s, want %x", sum, want)
	}
	rc, err := files.Get(ctx, "xa-dong-tan", "dossiers/d1/0")
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(rc)
	_ = rc.Close()
	if err != nil || !bytes.Equal(got, scan) {
		t.Fatalf("read back %d bytes (%v)", len(got), err)
	}
	if _, err := files.Get(ctx, "xa-dong-la", "dossiers/d1/0"); err == nil {
		t.Fatal("another commune's bucket has the scan")
	}

	bucket := platform.BucketName(prefix, "xa-dong-tan")
	if bucket != prefix+"tenant-xa-dong-tan" {
		t.Fatalf("bucket name %s", bucket)
	}
	if lock, _, _, _, err := client.GetObjectLockConfig(ctx, bucket); err != nil || lock != "Enabled" {
		t.Fatalf("the scan's bucket %s has object lock %q (%v), want Enabled as the operator makes it", bucket, lock, err)
	}
	// archives, writing its records there next, checks the bucket the same way and accepts it.
	if created, err := objstore.EnsureBucket(ctx, client, bucket); err != nil || created {
		t.Fatalf("the storage contract's check of the bucket dossiers made: created %v, %v", created, err)
	}
	if ok, _ := client.BucketExists(ctx, prefix+"xa-dong-tan"); ok {
		t.Fatal("a bucket named by the bare slug was made")
	}

	// A bucket someone made without object lock is refused, not written to.
	if err := client.MakeBucket(ctx, platform.BucketName(prefix, "xa-dong-la"), minio.MakeBucketOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := files.Put(ctx, "xa-dong-la", "dossiers/d2/0", bytes.NewReader(scan[:10]), 10, "application/pdf"); !errors.Is(err, objstore.ErrNoObjectLock) {
		t.Fatalf("upload into a bucket without object lock: %v, want objstore.ErrNoObjectLock", err)
	}
}

func randomSuffix() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
