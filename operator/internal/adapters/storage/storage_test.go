package storage_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/objstore"
	"egov.vn/platform/libs/testenv"
	"egov.vn/platform/operator/internal/adapters/storage"
)

func newStore(t *testing.T) *storage.Store {
	t.Helper()
	m := testenv.MinIO(t)
	s, err := storage.New(objstore.Config{Endpoint: m.Endpoint, AccessKey: m.AccessKey, SecretKey: m.SecretKey})
	if err != nil {
		t.Fatal(err)
	}
	// A freshly started MinIO accepts connections before it serves requests.
	deadline := time.Now().Add(60 * time.Second)
	for {
		_, err := s.Exists(context.Background(), "st-probe")
		if err == nil {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("MinIO not ready: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func bucketName() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return "st-" + hex.EncodeToString(b)
}

// Ensure makes the bucket with everything, puts back drift, and is a no-op when all is in place.
func TestEnsureCreatesAndRepairsTheBucket(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	b := storage.Bucket{Name: bucketName(), QuotaBytes: 2 << 30, Years: 10}
	changed, err := s.Ensure(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("first Ensure changed %v", changed)
	if changed, err := s.Ensure(ctx, b); err != nil || len(changed) != 0 {
		t.Fatalf("second Ensure changed %v, %v", changed, err)
	}
	// Drift: a shorter retention and a larger quota.
	mode, validity, unit := minio.Governance, uint(1), minio.Days
	if err := s.S3().SetObjectLockConfig(ctx, b.Name, &mode, &validity, &unit); err != nil {
		t.Fatal(err)
	}
	b2 := b
	b2.QuotaBytes = 3 << 30
	changed, err = s.Ensure(ctx, b2)
	if err != nil {
		t.Fatal(err)
	}
	if len(changed) != 2 || changed[0] != "retention" || changed[1] != "quota" {
		t.Errorf("repair changed %v, want [retention quota]", changed)
	}
	_, m, v, u, err := s.S3().GetObjectLockConfig(ctx, b.Name)
	if err != nil || *m != minio.Governance || *v != 10 || *u != minio.Years {
		t.Errorf("retention after repair = %v %v %v, %v", *m, *v, *u, err)
	}
}

// A bucket made by hand without object lock is reported, not silently accepted.
func TestEnsureRefusesABucketWithoutObjectLock(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	name := bucketName()
	if err := s.S3().MakeBucket(ctx, name, minio.MakeBucketOptions{}); err != nil {
		t.Fatal(err)
	}
	_, err := s.Ensure(ctx, storage.Bucket{Name: name, QuotaBytes: 1 << 30, Days: 1})
	if e := apperr.As(err); e == nil || e.Code != "object_lock_missing" {
		t.Fatalf("Ensure = %v, want object_lock_missing", err)
	}
}

// Delete refuses while a version is locked and removes everything once none is.
func TestDeleteWaitsForLockedVersions(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	b := storage.Bucket{Name: bucketName(), QuotaBytes: 1 << 30, Days: 1}
	if _, err := s.Ensure(ctx, b); err != nil {
		t.Fatal(err)
	}
	info, err := s.S3().PutObject(ctx, b.Name, "ho-so/1.pdf", bytes.NewReader([]byte("%PDF")), 4, minio.PutObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	l, err := s.Locks(ctx, b.Name)
	if err != nil || l.Locked != 1 || l.Versions != 1 || l.Until.Before(time.Now().Add(23*time.Hour)) {
		t.Fatalf("locks = %+v, %v", l, err)
	}
	if err := s.Delete(ctx, b.Name); apperr.KindOf(err) != apperr.KindConflict {
		t.Fatalf("Delete of a bucket with a locked version = %v, want a conflict", err)
	}
	if err := s.S3().RemoveObject(ctx, b.Name, info.Key, minio.RemoveObjectOptions{VersionID: info.VersionID, GovernanceBypass: true}); err != nil {
		t.Fatal(err)
	}
	// A delete marker and an unlocked version are removed with the bucket.
	if _, err := s.S3().PutObject(ctx, b.Name, "tam/2.txt", bytes.NewReader([]byte("x")), 1, minio.PutObjectOptions{}); err != nil {
		t.Fatal(err)
	}
	l, _ = s.Locks(ctx, b.Name)
	if l.Locked != 1 { // the new object got the default retention too
		t.Fatalf("locks = %+v", l)
	}
	objs, _ := listVersions(ctx, s.S3(), b.Name)
	for _, o := range objs {
		_ = s.S3().RemoveObject(ctx, b.Name, o.Key, minio.RemoveObjectOptions{VersionID: o.VersionID, GovernanceBypass: true})
	}
	if err := s.Delete(ctx, b.Name); err != nil {
		t.Fatal(err)
	}
	if ok, _ := s.Exists(ctx, b.Name); ok {
		t.Error("bucket still exists after Delete")
	}
}

func listVersions(ctx context.Context, c *minio.Client, bucket string) ([]minio.ObjectInfo, error) {
	var out []minio.ObjectInfo
	for o := range c.ListObjects(ctx, bucket, minio.ListObjectsOptions{WithVersions: true, Recursive: true}) {
		if o.Err != nil {
			return out, o.Err
		}
		out = append(out, o)
	}
	return out, nil
}
