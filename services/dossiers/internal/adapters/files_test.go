package adapters_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"testing"

	"egov.vn/platform/libs/objstore"
	"egov.vn/platform/libs/testenv"
	"egov.vn/platform/services/dossiers/internal/adapters"
)

// TestMinIOFiles streams a scan into a tenant's own bucket on a real MinIO and reads it back;
// another tenant's bucket does not have it.
func TestMinIOFiles(t *testing.T) {
	srv := testenv.MinIO(t)
	client, err := objstore.New(objstore.Config{Endpoint: srv.Endpoint, AccessKey: srv.AccessKey, SecretKey: srv.SecretKey})
	if err != nil {
		t.Fatal(err)
	}
	files := adapters.NewMinIOFiles(client, "test-"+randomSuffix()+"-")
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
}

func randomSuffix() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
