package controller_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"egov.vn/platform/libs/platform"
	platformv1 "egov.vn/platform/operator/api/v1alpha1"
	"egov.vn/platform/operator/internal/adapters/storage"
	"egov.vn/platform/operator/internal/controller"
	"egov.vn/platform/services/identity/identitytest"
)

func TestDeleteWithRetainKeepsTheData(t *testing.T) {
	idp := identitytest.Start(t)
	w := newWorld(t, idp)
	ctx := context.Background()
	slug := uniqueSlug("xa-dong-kinh")
	tn := commune(slug, "12713") // deletionPolicy defaults to Retain
	if err := w.k8s.Create(ctx, tn); err != nil {
		t.Fatal(err)
	}
	w.waitCondition(slug, controller.CondReady, metav1.ConditionTrue, "")
	bucket := platform.BucketName(w.opts.BucketPrefix, platform.Slug(slug))
	if _, err := w.store.S3().PutObject(ctx, bucket, "ho-so/2026/001.pdf", bytes.NewReader([]byte("%PDF-1.7 biên bản")), 17, minio.PutObjectOptions{}); err != nil {
		t.Fatal(err)
	}

	if err := w.k8s.Delete(ctx, tn); err != nil {
		t.Fatal(err)
	}
	w.waitGone(&platformv1.Tenant{ObjectMeta: metav1.ObjectMeta{Name: slug}})

	// The bucket and its record stay; identity keeps the tenant, disabled.
	if ok, err := w.store.Exists(ctx, bucket); err != nil || !ok {
		t.Errorf("bucket %s after Retain: exists=%t, %v", bucket, ok, err)
	}
	if _, err := w.store.S3().StatObject(ctx, bucket, "ho-so/2026/001.pdf", minio.StatObjectOptions{}); err != nil {
		t.Errorf("record gone after Retain: %v", err)
	}
	it, err := w.identity.Tenant(ctx, slug)
	if err != nil || !it.Disabled {
		t.Errorf("identity tenant after Retain = %+v, %v; want kept and disabled", it, err)
	}
	// The tenant's MinIO user is kept, disabled: the bucket stays, not a way into it.
	if u, err := w.store.User(ctx, storage.UserName(bucket)); err != nil || !u.Exists || u.Enabled {
		t.Errorf("MinIO user after Retain = %+v, %v; want kept and disabled", u, err)
	}
	// The namespace is on its way out (envtest runs no namespace controller to finish it).
	var ns corev1.Namespace
	if err := w.k8s.Get(ctx, client.ObjectKey{Name: "tenant-" + slug}, &ns); err == nil && ns.DeletionTimestamp.IsZero() {
		t.Error("namespace not deleted")
	}
}

func TestDeleteWithDeleteWaitsForLockedObjectsThenRemovesEverything(t *testing.T) {
	idp := identitytest.Start(t)
	w := newWorld(t, idp)
	ctx := context.Background()
	slug := uniqueSlug("xa-dong-phuong")
	tn := commune(slug, "12714")
	tn.Spec.DeletionPolicy = platformv1.DeletionDelete
	if err := w.k8s.Create(ctx, tn); err != nil {
		t.Fatal(err)
	}
	w.waitCondition(slug, controller.CondReady, metav1.ConditionTrue, "")
	bucket := platform.BucketName(w.opts.BucketPrefix, platform.Slug(slug))
	// A record under the bucket's default retention (1 day, Governance).
	info, err := w.store.S3().PutObject(ctx, bucket, "van-ban/den/2026-001.pdf", bytes.NewReader([]byte("%PDF-1.7 công văn")), 18, minio.PutObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}

	if err := w.k8s.Delete(ctx, tn); err != nil {
		t.Fatal(err)
	}
	got := w.waitCondition(slug, controller.CondDeleting, metav1.ConditionFalse, "BucketHasLockedObjects")
	t.Logf("while locked: %s", findCond(got, controller.CondDeleting).Message)
	// Nothing was removed while the record is locked.
	if ok, _ := w.store.Exists(ctx, bucket); !ok {
		t.Fatal("bucket removed while it held a locked record")
	}
	if it, err := w.identity.Tenant(ctx, slug); err != nil || it.Disabled {
		t.Errorf("identity tenant touched while deletion waits: %+v, %v", it, err)
	}

	// A storage administrator removes the record (Governance mode allows it with the bypass); the
	// next reconcile finishes the deletion.
	if err := w.store.S3().RemoveObject(ctx, bucket, info.Key, minio.RemoveObjectOptions{VersionID: info.VersionID, GovernanceBypass: true}); err != nil {
		t.Fatal(err)
	}
	poke(t, w, slug)
	w.waitGone(&platformv1.Tenant{ObjectMeta: metav1.ObjectMeta{Name: slug}})
	eventually(t, 10*time.Second, "bucket removed", func() (bool, string) {
		ok, err := w.store.Exists(ctx, bucket)
		return err == nil && !ok, "still there"
	})
	it, err := w.identity.Tenant(ctx, slug)
	if err != nil || !it.Disabled {
		t.Errorf("identity tenant after Delete = %+v, %v; want disabled (identity has no delete)", it, err)
	}
	if u, err := w.store.User(ctx, storage.UserName(bucket)); err != nil || u.Exists {
		t.Errorf("MinIO user after Delete = %+v, %v; want removed", u, err)
	}
	users, _ := w.identity.Users(ctx, slug)
	for _, u := range users {
		if !u.Disabled {
			t.Errorf("user %s still enabled after Delete", u.Username)
		}
	}
}
