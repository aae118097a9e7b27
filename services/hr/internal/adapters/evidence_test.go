package adapters_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"egov.vn/platform/libs/objstore"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/testenv"
	"egov.vn/platform/services/hr/internal/adapters"
	"egov.vn/platform/services/hr/internal/domain"
)

// TestMinIOEvidence: a file is streamed into the tenant's bucket (the storage contract's, under
// hr/) with its SHA-256; reading it back checks the bytes, and a file changed behind the
// service's back fails the check.
func TestMinIOEvidence(t *testing.T) {
	t.Parallel()
	m := testenv.MinIO(t)
	client, err := objstore.New(objstore.Config{Endpoint: m.Endpoint, AccessKey: m.AccessKey, SecretKey: m.SecretKey})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// A MinIO started for this test answers TCP before it can serve requests.
	probe := objstore.Probe(client)
	for deadline := time.Now().Add(60 * time.Second); probe(ctx) != nil; time.Sleep(200 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("MinIO at %s is not ready: %v", m.Endpoint, probe(ctx))
		}
	}
	prefix := "hrtest-" + strings.ToLower(strings.ReplaceAll(t.Name(), "Test", ""))[:8] + "-"
	bucket := platform.BucketName(prefix, "xa-dong-tan")
	ev := adapters.NewMinIOEvidence(client, prefix)
	body := "%PDF-1.7 bằng thạc sĩ"
	e, err := ev.Put(ctx, "xa-dong-tan", "qualifications/s1/q1/f1", strings.NewReader(body), int64(len(body)),
		domain.Evidence{FileName: "bang-thac-si.pdf", ContentType: "application/pdf"})
	if err != nil {
		t.Fatal(err)
	}
	if e.Size != int64(len(body)) || len(e.SHA256) != 64 || !strings.HasPrefix(e.Key, adapters.KeyPrefix) {
		t.Fatalf("stored: %+v", e)
	}
	rc, err := ev.Open(ctx, "xa-dong-tan", e)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(rc)
	_ = rc.Close()
	if err != nil || string(got) != body {
		t.Fatalf("read back %q, %v", got, err)
	}
	// Another tenant's bucket does not have it.
	if _, err := ev.Open(ctx, "xa-dong-la", e); err == nil {
		t.Fatal("the file was found in another tenant's bucket")
	}
	// Changed in storage: the read fails its fixity check.
	tampered := "%PDF-1.7 bằng tiến sĩ"
	if _, err := client.PutObject(ctx, bucket, e.Key, strings.NewReader(tampered), int64(len(tampered)), minio.PutObjectOptions{}); err != nil {
		t.Fatal(err)
	}
	rc, err = ev.Open(ctx, "xa-dong-tan", e)
	if err != nil {
		t.Fatal(err)
	}
	_, err = io.ReadAll(rc)
	_ = rc.Close()
	if !errors.Is(err, adapters.ErrFixity) {
		t.Fatalf("reading a changed file: %v, want ErrFixity", err)
	}
}
