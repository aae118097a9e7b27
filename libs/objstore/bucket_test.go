package objstore

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/minio/minio-go/v7"

	"egov.vn/platform/libs/testenv"
)

// TestEnsureBucketKeepsTheStorageContract: on a real MinIO, EnsureBucket makes a locked,
// versioned bucket once, finds it made the second time (as another replica or service would),
// and refuses a bucket someone made without object lock instead of writing records into it.
func TestEnsureBucketKeepsTheStorageContract(t *testing.T) {
	t.Parallel()
	srv := testenv.MinIO(t)
	c, err := New(Config{Endpoint: srv.Endpoint, AccessKey: srv.AccessKey, SecretKey: srv.SecretKey})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	prefix := fmt.Sprintf("t%08x-", rand.Uint32())

	locked := prefix + "tenant-xa-dong-tan"
	for i, want := range []bool{true, false} {
		created, err := EnsureBucket(ctx, c, locked)
		if err != nil || created != want {
			t.Fatalf("call %d: created %v, err %v; want created %v", i+1, created, err, want)
		}
	}
	lock, _, _, _, err := c.GetObjectLockConfig(ctx, locked)
	if err != nil || lock != "Enabled" {
		t.Errorf("object lock %q (err %v), want Enabled", lock, err)
	}
	if v, err := c.GetBucketVersioning(ctx, locked); err != nil || !v.Enabled() {
		t.Errorf("versioning %+v (err %v), want enabled", v, err)
	}

	plain := prefix + "tenant-xa-dong-hai"
	if err := c.MakeBucket(ctx, plain, minio.MakeBucketOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := EnsureBucket(ctx, c, plain); !errors.Is(err, ErrNoObjectLock) {
		t.Errorf("bucket without object lock: err %v, want ErrNoObjectLock", err)
	}
}
