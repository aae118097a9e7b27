package controller_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"golang.org/x/oauth2/clientcredentials"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"egov.vn/platform/libs/auth"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/testenv"
	platformv1 "egov.vn/platform/operator/api/v1alpha1"
	"egov.vn/platform/operator/internal/adapters/platformapi"
	"egov.vn/platform/operator/internal/adapters/storage"
	"egov.vn/platform/operator/internal/controller"
	"egov.vn/platform/services/identity/identitytest"
)

// provisioningService stands in for a service's provisioning API
// (PUT <prefix>/api/v1/tenants/{slug}) while the services themselves live in other modules. It
// verifies the operator's bearer token against the real identity exactly as a service does
// (libs/auth, audience = the service, role platform.admin) and answers per the contract.
type provisioningService struct {
	*httptest.Server
	mu    sync.Mutex
	calls map[string][]map[string]string // slug → bodies
}

func newProvisioningService(t *testing.T, issuer, audience, prefix string) *provisioningService {
	t.Helper()
	v, err := auth.NewVerifier(context.Background(), auth.VerifierConfig{Issuer: issuer, Audience: audience})
	if err != nil {
		t.Fatal(err)
	}
	p := &provisioningService{calls: map[string][]map[string]string{}}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		claims, err := v.Verify(r.Context(), strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
		if err != nil || !claims.HasRole(string(platform.RolePlatformAdmin)) {
			http.Error(w, `{"title":"unauthenticated","status":401}`, http.StatusUnauthorized)
			return
		}
		slug, ok := strings.CutPrefix(r.URL.Path, prefix+"/api/v1/tenants/")
		if r.Method != http.MethodPut || !ok {
			http.NotFound(w, r)
			return
		}
		var body map[string]string
		_ = json.NewDecoder(r.Body).Decode(&body)
		p.mu.Lock()
		created := len(p.calls[slug]) == 0
		p.calls[slug] = append(p.calls[slug], body)
		p.mu.Unlock()
		_ = json.NewEncoder(w).Encode(map[string]any{"tenant": slug, "created": created, "seeded": map[string]int{"items": 3}})
	}))
	t.Cleanup(p.Close)
	p.URL += prefix
	return p
}

func (p *provisioningService) bodies(slug string) []map[string]string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.calls[slug])
}

func TestApplyTenantOnboardsEverything(t *testing.T) {
	idp := identitytest.Start(t)
	dossiers := newProvisioningService(t, idp.Issuer, "dossiers", "/dossiers")
	reporting := newProvisioningService(t, idp.Issuer, "reporting", "/reports")
	// hr is left undeployed: its condition must say so without failing Ready.
	w := newWorld(t, idp, withServices(map[platformv1.ServiceName]string{
		platformv1.ServiceDossiers: dossiers.URL, platformv1.ServiceReporting: reporting.URL}))
	ctx := context.Background()
	slug := uniqueSlug("xa-dong-phong")
	tn := commune(slug, "12710")
	tn.Spec.Admins = append(tn.Spec.Admins, platformv1.TenantAdmin{Username: "hai.nv." + slug, Name: "Nguyễn Văn Hải"})
	if err := w.k8s.Create(ctx, tn); err != nil {
		t.Fatal(err)
	}

	got := w.waitCondition(slug, controller.CondReady, metav1.ConditionTrue, "Onboarded")
	for _, c := range got.Status.Conditions {
		if c.Type != controller.CondDeleting && c.Status != metav1.ConditionTrue {
			t.Errorf("condition %s is %s (%s: %s)", c.Type, c.Status, c.Reason, c.Message)
		}
	}
	if c := findCond(got, controller.CondOrganisation); c.Reason != controller.ReasonNotDeployed {
		t.Errorf("hr is not deployed, yet OrganisationSeeded says %s: %s", c.Reason, c.Message)
	}
	if !strings.Contains(findCond(got, controller.CondReady).Message, "OrganisationSeeded") {
		t.Errorf("Ready should name the skipped seed: %s", findCond(got, controller.CondReady).Message)
	}
	ns := "tenant-" + slug
	if got.Status.Namespace != ns || got.Status.BucketName != platform.BucketName(w.opts.BucketPrefix, platform.Slug(slug)) || got.Status.IdentityTenantID == "" || got.Status.ObservedGeneration != got.Generation {
		t.Errorf("status = %+v", got.Status)
	}

	// The namespace and its guard rails, each owned by the Tenant.
	for _, obj := range []client.Object{
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}},
		&corev1.ResourceQuota{ObjectMeta: metav1.ObjectMeta{Name: controller.QuotaName, Namespace: ns}},
		&corev1.LimitRange{ObjectMeta: metav1.ObjectMeta{Name: controller.LimitRangeName, Namespace: ns}},
		&networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: controller.DenyAllPolicy, Namespace: ns}},
		&networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: controller.AllowIngressPolicy, Namespace: ns}},
		&networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: controller.AllowEgressPolicy, Namespace: ns}},
		&rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: controller.AdminsBindingName, Namespace: ns}},
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: controller.AdminSecretName, Namespace: ns}},
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: controller.StorageSecretName, Namespace: ns}},
	} {
		if err := w.k8s.Get(ctx, client.ObjectKeyFromObject(obj), obj); err != nil {
			t.Fatalf("%T %s: %v", obj, obj.GetName(), err)
		}
		refs := obj.GetOwnerReferences()
		if len(refs) != 1 || refs[0].UID != got.UID || refs[0].Controller == nil || !*refs[0].Controller {
			t.Errorf("%T %s owner references = %+v", obj, obj.GetName(), refs)
		}
		if obj.GetLabels()[controller.LabelManagedBy] != controller.ManagedBy || obj.GetLabels()[controller.LabelTenant] != slug {
			t.Errorf("%T %s labels = %v", obj, obj.GetName(), obj.GetLabels())
		}
	}
	var quota corev1.ResourceQuota
	_ = w.k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: controller.QuotaName}, &quota)
	if q := quota.Spec.Hard[corev1.ResourceLimitsCPU]; q.Cmp(resource.MustParse("4")) != 0 {
		t.Errorf("quota limits.cpu = %s, want the default 4", q.String())
	}
	var binding rbacv1.RoleBinding
	_ = w.k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: controller.AdminsBindingName}, &binding)
	if binding.RoleRef.Name != "admin" || len(binding.Subjects) != 2 || binding.Subjects[0].Name != "oidc:admin."+slug {
		t.Errorf("admins binding = %+v %+v", binding.RoleRef, binding.Subjects)
	}

	// Identity: the tenant under its parent, both administrators, and no per-service client
	// (the services sign people in with their own clients; nothing would hold these).
	it, err := w.identity.Tenant(ctx, slug)
	if err != nil || it.Parent != "huyen-dong-hung" || it.Code != "12710" || it.ID != got.Status.IdentityTenantID || it.Disabled {
		t.Fatalf("identity tenant = %+v, %v", it, err)
	}
	users, _ := w.identity.Users(ctx, slug)
	if len(users) != 2 || !slices.Contains(users[0].Roles, string(platform.RoleTenantAdmin)) {
		t.Errorf("identity users = %+v", users)
	}
	if clients, err := w.identity.Clients(ctx, slug); err != nil || len(clients) != 0 {
		t.Errorf("identity clients = %+v, %v; want none", clients, err)
	}
	if got.Status.Admins == nil || !slices.Equal(got.Status.Admins, []string{"admin." + slug, "hai.nv." + slug}) {
		t.Errorf("status.admins = %v", got.Status.Admins)
	}
	admins, _ := w.secret(ns, controller.AdminSecretName)
	for _, u := range []string{"admin." + slug, "hai.nv." + slug} {
		if len(admins.Data[u]) < 10 {
			t.Errorf("admin Secret has no one-time password for %s: %v", u, keys(admins.Data))
		}
	}
	var secrets corev1.SecretList
	if err := w.k8s.List(ctx, &secrets, client.InNamespace(ns)); err != nil {
		t.Fatal(err)
	}
	for _, sec := range secrets.Items {
		if sec.Name != controller.AdminSecretName && sec.Name != controller.StorageSecretName {
			t.Errorf("the tenant namespace holds a Secret nobody reads: %s", sec.Name)
		}
	}
	if len(got.Status.SecretRefs) != 2 {
		t.Errorf("secret refs = %+v", got.Status.SecretRefs)
	}

	// MinIO: object lock, versioning, retention, quota, policy.
	bucket := platform.BucketName(w.opts.BucketPrefix, platform.Slug(slug))
	checkBucket(t, w.store, bucket, 1, 5)
	checkTenantUser(t, w, ns, bucket)

	// Seeds: each deployed service was called with the unit's identity (a reconcile that started
	// from a cache not yet showing the first seed may call again: the contract is idempotent).
	seeds := len(dossiers.bodies(slug))
	if b := dossiers.bodies(slug); len(b) == 0 || len(b) > 2 || b[0]["code"] != "12710" || b[0]["parent"] != "huyen-dong-hung" || b[0]["kind"] != "commune" {
		t.Errorf("dossiers provisioning calls = %v", b)
	}
	if b := reporting.bodies(slug); len(b) == 0 || len(b) > 2 {
		t.Errorf("reporting provisioning calls = %v", b)
	}

	// Another reconcile (forced by an annotation) changes nothing: no new credentials.
	before := string(admins.Data["admin."+slug])
	poke(t, w, slug)
	time.Sleep(2 * time.Second)
	w.waitCondition(slug, controller.CondReady, metav1.ConditionTrue, "")
	admins2, _ := w.secret(ns, controller.AdminSecretName)
	if string(admins2.Data["admin."+slug]) != before {
		t.Error("a plain reconcile issued a new one-time password")
	}
	if b := dossiers.bodies(slug); len(b) != seeds {
		t.Errorf("the seed ran again for the same generation: %d calls, %d before", len(b), seeds)
	}
}

func findCond(t *platformv1.Tenant, typ string) metav1.Condition {
	for _, c := range t.Status.Conditions {
		if c.Type == typ {
			return c
		}
	}
	return metav1.Condition{}
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// poke makes the operator reconcile a Tenant now (an annotation change is watched).
func poke(t testing.TB, w *world, name string) {
	t.Helper()
	tn, err := w.get(name)
	if err != nil {
		t.Fatal(err)
	}
	patch := client.MergeFrom(tn.DeepCopy())
	if tn.Annotations == nil {
		tn.Annotations = map[string]string{}
	}
	tn.Annotations["test/poke"] = time.Now().Format(time.RFC3339Nano)
	if err := w.k8s.Patch(context.Background(), tn, patch); err != nil {
		t.Fatal(err)
	}
}

// checkTenantUser asserts the tenant's MinIO user (keys in its Secret) may write its bucket and
// may not read another's.
func checkTenantUser(t *testing.T, w *world, ns, bucket string) {
	t.Helper()
	ctx := context.Background()
	sec, err := w.secret(ns, controller.StorageSecretName)
	if err != nil {
		t.Fatal(err)
	}
	if string(sec.Data["bucket"]) != bucket || string(sec.Data["access-key"]) != bucket || len(sec.Data["secret-key"]) != 40 || string(sec.Data["endpoint"]) == "" {
		t.Fatalf("storage Secret: bucket %q, access-key %q, secret-key of %d characters, endpoint %q; want bucket and user %s",
			sec.Data["bucket"], sec.Data["access-key"], len(sec.Data["secret-key"]), sec.Data["endpoint"], bucket)
	}
	tenant, err := minio.New(string(sec.Data["endpoint"]), &minio.Options{Creds: credentials.NewStaticV4(string(sec.Data["access-key"]), string(sec.Data["secret-key"]), "")})
	if err != nil {
		t.Fatal(err)
	}
	body := []byte("biên nhận hồ sơ")
	if _, err := tenant.PutObject(ctx, bucket, "probe.txt", bytes.NewReader(body), int64(len(body)), minio.PutObjectOptions{SendContentMd5: true}); err != nil {
		t.Errorf("the tenant's user cannot write its own bucket: %v", err)
	}
	other := w.opts.BucketPrefix + "other-" + randHex(3)
	if err := w.store.S3().MakeBucket(ctx, other, minio.MakeBucketOptions{}); err != nil {
		t.Fatal(err)
	}
	denied := false
	for o := range tenant.ListObjects(ctx, other, minio.ListObjectsOptions{}) {
		denied = o.Err != nil && minio.ToErrorResponse(o.Err).Code == "AccessDenied"
	}
	if !denied {
		t.Error("the tenant's user may list another bucket")
	}
	if _, err := tenant.PutObject(ctx, other, "x", bytes.NewReader(body), int64(len(body)), minio.PutObjectOptions{}); minio.ToErrorResponse(err).Code != "AccessDenied" {
		t.Errorf("the tenant's user writes another bucket: %v", err)
	}
}

// checkBucket asserts the bucket is as the operator keeps it.
func checkBucket(t *testing.T, s *storage.Store, bucket string, days uint, quotaGiB uint64) {
	t.Helper()
	ctx := context.Background()
	c := s.S3()
	lock, mode, validity, unit, err := c.GetObjectLockConfig(ctx, bucket)
	if err != nil || lock != "Enabled" || mode == nil || *mode != minio.Governance || validity == nil || *validity != days || unit == nil || *unit != minio.Days {
		t.Errorf("bucket %s object lock = %q %v %v %v, %v", bucket, lock, mode, validity, unit, err)
	}
	v, err := c.GetBucketVersioning(ctx, bucket)
	if err != nil || !v.Enabled() {
		t.Errorf("bucket %s versioning = %+v, %v", bucket, v, err)
	}
	// Ensure changes nothing when all is in place: the quota and policy are there too.
	changed, err := s.Ensure(ctx, storage.Bucket{Name: bucket, QuotaBytes: quotaGiB << 30, Days: days})
	if err != nil || len(changed) != 0 {
		t.Errorf("bucket %s is not fully in place: Ensure changed %v, %v", bucket, changed, err)
	}
}

func TestHandEditsAreRestored(t *testing.T) {
	idp := identitytest.Start(t)
	w := newWorld(t, idp)
	ctx := context.Background()
	slug := uniqueSlug("xa-hong-giang")
	if err := w.k8s.Create(ctx, commune(slug, "12711")); err != nil {
		t.Fatal(err)
	}
	w.waitCondition(slug, controller.CondReady, metav1.ConditionTrue, "")
	ns := "tenant-" + slug

	// A deleted network policy comes back.
	deny := &networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: controller.DenyAllPolicy, Namespace: ns}}
	if err := w.k8s.Delete(ctx, deny); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "network policy recreated", func() (bool, string) {
		var np networkingv1.NetworkPolicy
		err := w.k8s.Get(ctx, client.ObjectKeyFromObject(deny), &np)
		return err == nil && np.DeletionTimestamp.IsZero() && len(np.Spec.PolicyTypes) == 2, "not yet"
	})

	// An edited quota is put back.
	var quota corev1.ResourceQuota
	if err := w.k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: controller.QuotaName}, &quota); err != nil {
		t.Fatal(err)
	}
	quota.Spec.Hard[corev1.ResourceLimitsCPU] = resource.MustParse("64")
	if err := w.k8s.Update(ctx, &quota); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "quota restored", func() (bool, string) {
		var q corev1.ResourceQuota
		_ = w.k8s.Get(ctx, client.ObjectKeyFromObject(&quota), &q)
		v := q.Spec.Hard[corev1.ResourceLimitsCPU]
		return v.Cmp(resource.MustParse("4")) == 0, v.String()
	})

	// A RoleBinding stripped of the managed-by label (so outside the operator's cache) and given
	// another subject is found and put back.
	var rb rbacv1.RoleBinding
	if err := w.k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: controller.AdminsBindingName}, &rb); err != nil {
		t.Fatal(err)
	}
	delete(rb.Labels, controller.LabelManagedBy)
	rb.Subjects = []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: "intruder"}}
	if err := w.k8s.Update(ctx, &rb); err != nil {
		t.Fatal(err)
	}
	poke(t, w, slug) // the edit left the cache's view, so it is not an event of its own
	eventually(t, 30*time.Second, "role binding restored", func() (bool, string) {
		var b rbacv1.RoleBinding
		_ = w.k8s.Get(ctx, client.ObjectKeyFromObject(&rb), &b)
		return len(b.Subjects) == 1 && b.Subjects[0].Name == "oidc:admin."+slug && b.Labels[controller.LabelManagedBy] == controller.ManagedBy, b.Subjects[0].Name
	})

	// A deleted admin-password Secret comes back with a new one-time password (the old one
	// cannot be read back from identity), since the administrator has not used it yet.
	old, err := w.secret(ns, controller.AdminSecretName)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.k8s.Delete(ctx, old); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "admin-password Secret recreated", func() (bool, string) {
		s, err := w.secret(ns, controller.AdminSecretName)
		if err != nil {
			return false, err.Error()
		}
		pw := s.Data["admin."+slug]
		return s.UID != old.UID && len(pw) >= 10 && !bytes.Equal(pw, old.Data["admin."+slug]), "same"
	})

	// Drift in MinIO (the default retention changed by hand) is put back on the next reconcile.
	bucket := platform.BucketName(w.opts.BucketPrefix, platform.Slug(slug))
	mode, validity, unit := minio.Governance, uint(30), minio.Days
	if err := w.store.S3().SetObjectLockConfig(ctx, bucket, &mode, &validity, &unit); err != nil {
		t.Fatal(err)
	}
	poke(t, w, slug)
	eventually(t, 30*time.Second, "retention restored", func() (bool, string) {
		_, _, v, _, err := w.store.S3().GetObjectLockConfig(ctx, bucket)
		return err == nil && v != nil && *v == 1, "still changed"
	})

	// Identity: the tenant disabled by hand is enabled again.
	disabled := true
	if _, err := w.identity.PatchTenant(ctx, slug, platformapi.TenantPatch{Disabled: &disabled}); err != nil {
		t.Fatal(err)
	}
	poke(t, w, slug)
	eventually(t, 30*time.Second, "identity tenant enabled again", func() (bool, string) {
		it, err := w.identity.Tenant(ctx, slug)
		return err == nil && !it.Disabled, "still disabled"
	})
}

func TestIdentityDownAtFirst(t *testing.T) {
	addr := fmt.Sprintf("127.0.0.1:%d", testenv.FreePort(t))
	secret := randHex(24)
	w := newWorld(t, nil, identityAt("http://"+addr+"/auth", "tenant-operator-test", secret))
	ctx := context.Background()
	slug := uniqueSlug("xa-dong-xuan")
	if err := w.k8s.Create(ctx, commune(slug, "12712")); err != nil {
		t.Fatal(err)
	}
	tn := w.waitCondition(slug, controller.CondIdentity, metav1.ConditionFalse, "IdentityUnavailable")
	if c := findCond(tn, controller.CondIdentity); !strings.Contains(c.Message, "identity") {
		t.Errorf("the reason should say identity is unreachable: %s", c.Message)
	}
	// The other steps go on meanwhile.
	w.waitCondition(slug, controller.CondStorage, metav1.ConditionTrue, "")
	w.waitCondition(slug, controller.CondNamespace, metav1.ConditionTrue, "")
	if c := findCond(tn, controller.CondReady); c.Status != metav1.ConditionFalse {
		t.Errorf("Ready = %s while identity is down", c.Status)
	}

	// Identity comes up at the address the operator uses, with the operator's client.
	// identitytest makes its own operator client; the one this operator was started with is
	// registered through the admin API, as an installer would.
	idp := identitytest.Start(t, identitytest.Listen(addr))
	admin := platformapi.NewIdentity(platformapi.NewClient(platformapi.Credentials{Issuer: idp.Issuer, ClientID: idp.Operator.ID, ClientSecret: idp.Operator.Secret}, nil), idp.Issuer)
	if _, err := admin.EnsureClient(ctx, platformapi.IdentityClient{ClientID: "tenant-operator-test", Name: "Tenant operator (test)", Type: "confidential",
		GrantTypes: []string{"client_credentials"}, Roles: []string{string(platform.RolePlatformAdmin)}, Audiences: []string{"identity"}, Secret: secret}); err != nil {
		t.Fatal(err)
	}
	w.waitCondition(slug, controller.CondIdentity, metav1.ConditionTrue, "")
	w.waitCondition(slug, controller.CondReady, metav1.ConditionTrue, "")
}

// An administrator taken out of spec.admins is disabled in identity, through the admin API (so
// identity audits it as an admin change, once); put back, the account is enabled again. An
// account the tenant's own administrator made is never touched.
func TestRemovedAdminIsDisabledAndReAddedEnabled(t *testing.T) {
	idp := identitytest.Start(t)
	w := newWorld(t, idp)
	ctx := context.Background()
	slug := uniqueSlug("xa-dong-kinh")
	tn := commune(slug, "12719")
	second := platformv1.TenantAdmin{Username: "hai.nv." + slug, Name: "Nguyễn Văn Hải"}
	tn.Spec.Admins = append(tn.Spec.Admins, second)
	if err := w.k8s.Create(ctx, tn); err != nil {
		t.Fatal(err)
	}
	w.waitCondition(slug, controller.CondReady, metav1.ConditionTrue, "")
	// A clerk the tenant made itself (not an administrator of the spec).
	if _, err := w.identity.EnsureUser(ctx, platformapi.IdentityUser{Tenant: slug, Username: "clerk." + slug, Name: "Lê Thị Mai",
		Roles: []string{string(platform.RoleDossierReceive)}}); err != nil {
		t.Fatal(err)
	}

	setAdmins := func(admins []platformv1.TenantAdmin) {
		t.Helper()
		cur, err := w.get(slug)
		if err != nil {
			t.Fatal(err)
		}
		cur.Spec.Admins = admins
		if err := w.k8s.Update(ctx, cur); err != nil {
			t.Fatal(err)
		}
	}
	user := func(name string) platformapi.IdentityUser {
		us, err := w.identity.Users(ctx, slug)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range us {
			if u.Username == name {
				return u
			}
		}
		t.Fatalf("no account %s in identity", name)
		return platformapi.IdentityUser{}
	}

	setAdmins(tn.Spec.Admins[:1])
	got := w.waitCondition(slug, controller.CondReady, metav1.ConditionTrue, "")
	eventually(t, 30*time.Second, "removed admin disabled", func() (bool, string) {
		return user(second.Username).Disabled, "still enabled"
	})
	if !slices.Equal(got.Status.Admins, []string{"admin." + slug}) {
		t.Errorf("status.admins = %v", got.Status.Admins)
	}
	if user("admin."+slug).Disabled || user("clerk."+slug).Disabled {
		t.Error("an account still in the spec, or one the tenant made, was disabled")
	}
	// Reconciles that change nothing call identity for nothing: one audit line for the change.
	poke(t, w, slug)
	time.Sleep(2 * time.Second)
	audit := auditLines(t, idp, slug, "user.update")
	var disabledLines int
	for _, e := range audit {
		if strings.Contains(e.Detail, second.Username) && strings.Contains(e.Detail, "disabled true") {
			disabledLines++
			if e.Actor != idp.Operator.ID || e.Outcome != "ok" {
				t.Errorf("audit line = %+v, want the operator's client as actor", e)
			}
		}
	}
	if disabledLines != 1 {
		t.Errorf("identity audited the disabling %d times, want once: %+v", disabledLines, audit)
	}
	if !hasEvent(t, w, slug, "AdminDisabled", second.Username) {
		t.Error("no AdminDisabled Event names the account")
	}

	// Put back, the same account is enabled again (no new account, no new password).
	setAdmins(append(tn.Spec.Admins[:1:1], second))
	eventually(t, 30*time.Second, "re-added admin enabled", func() (bool, string) {
		return !user(second.Username).Disabled, "still disabled"
	})
	w.waitCondition(slug, controller.CondReady, metav1.ConditionTrue, "")
}

type auditLine struct {
	Actor, Action, Subject, Outcome, Detail string
}

// auditLines reads identity's audit log of a tenant through the admin API.
func auditLines(t *testing.T, idp *identitytest.Server, tenant, action string) []auditLine {
	t.Helper()
	cc := clientcredentials.Config{ClientID: idp.Operator.ID, ClientSecret: idp.Operator.Secret, TokenURL: idp.Issuer + "/oauth/token"}
	resp, err := cc.Client(context.Background()).Get(idp.Issuer + "/api/v1/audit?tenant=" + tenant + "&action=" + action + "&limit=500")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	var out struct{ Events []auditLine }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("audit log: %s, %v", resp.Status, err)
	}
	return out.Events
}

// hasEvent reports whether the Tenant has a Kubernetes Event with reason whose message holds text.
func hasEvent(t *testing.T, w *world, tenant, reason, text string) bool {
	t.Helper()
	found := false
	eventually(t, 30*time.Second, "event "+reason, func() (bool, string) {
		var evs corev1.EventList
		if err := w.k8s.List(context.Background(), &evs); err != nil {
			return false, err.Error()
		}
		for _, e := range evs.Items {
			if e.InvolvedObject.Name == tenant && e.InvolvedObject.Kind == "Tenant" && e.Reason == reason && strings.Contains(e.Message, text) {
				found = true
				return true, ""
			}
		}
		return false, fmt.Sprintf("%d events, none %s", len(evs.Items), reason)
	})
	return found
}

// Inside a cluster identity's public URL may not resolve: discovery publishes
// https://egov.invalid/auth/... (.invalid never resolves), and the operator must still get its
// token and call the admin API at the internal URL it was given.
func TestEveryCallGoesToTheInternalURL(t *testing.T) {
	idp := identitytest.Start(t)
	const public = "https://egov.invalid/auth"
	target, _ := url.Parse(idp.Origin)
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ModifyResponse = func(resp *http.Response) error {
		if !strings.HasSuffix(resp.Request.URL.Path, "/.well-known/openid-configuration") {
			return nil
		}
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			return err
		}
		b = bytes.ReplaceAll(b, []byte(idp.Issuer), []byte(public))
		resp.Body, resp.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
		resp.Header.Set("Content-Length", fmt.Sprint(len(b)))
		return nil
	}
	internal := httptest.NewServer(proxy)
	t.Cleanup(internal.Close)

	// Discovery, as the operator sees it, names only the public URL.
	resp, err := http.Get(internal.URL + "/auth/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		TokenEndpoint string `json:"token_endpoint"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&doc)
	_ = resp.Body.Close()
	if doc.TokenEndpoint != public+"/oauth/token" {
		t.Fatalf("the test's discovery does not publish the public URL: %+v", doc)
	}

	w := newWorld(t, nil, identityAt(internal.URL+"/auth", idp.Operator.ID, idp.Operator.Secret))
	slug := uniqueSlug("xa-dong-son")
	if err := w.k8s.Create(context.Background(), commune(slug, "12715")); err != nil {
		t.Fatal(err)
	}
	w.waitCondition(slug, controller.CondIdentity, metav1.ConditionTrue, "")
	if it, err := w.identity.Tenant(context.Background(), slug); err != nil || it.Parent != "huyen-dong-hung" {
		t.Errorf("identity tenant = %+v, %v", it, err)
	}
}
