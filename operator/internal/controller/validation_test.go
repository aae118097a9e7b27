package controller_test

import (
	"context"
	"strings"
	"testing"

	"k8s.io/utils/ptr"

	platformv1 "egov.vn/platform/operator/api/v1alpha1"
)

// The API server itself refuses bad Tenants, with the CRD's CEL and OpenAPI messages.
func TestInvalidSpecsAreRefused(t *testing.T) {
	needCluster(t)
	ctx := context.Background()
	cases := []struct {
		name   string
		change func(*platformv1.Tenant)
		want   string
	}{
		{"commune without a parent", func(tn *platformv1.Tenant) { tn.Spec.Parent = "" }, "a commune, ward or town needs a parent"},
		{"town without a parent", func(tn *platformv1.Tenant) { tn.Spec.Parent, tn.Spec.Kind = "", platformv1.KindTown }, "a commune, ward or town needs a parent"},
		{"letters in the code", func(tn *platformv1.Tenant) { tn.Spec.Code = "12a45" }, `spec.code: Invalid value: "12a45"`},
		{"district code on a commune", func(tn *platformv1.Tenant) { tn.Spec.Code = "341" }, "2 digits for a province, 3 for a district, 5 for a commune"},
		{"province with a parent", func(tn *platformv1.Tenant) { tn.Spec.Kind, tn.Spec.Code = platformv1.KindProvince, "35" }, "a province has no parent"},
		{"slug with capitals", func(tn *platformv1.Tenant) { tn.Name = "Xa-Dong-Tan" }, "metadata.name"},
		{"unknown kind", func(tn *platformv1.Tenant) { tn.Spec.Kind = "village" }, `spec.kind: Unsupported value: "village"`},
		{"days and years", func(tn *platformv1.Tenant) { tn.Spec.ArchiveRetention.Years = ptr.To[int32](5) }, "set exactly one of days or years"},
		{"no admin", func(tn *platformv1.Tenant) { tn.Spec.Admins = nil }, "spec.admins"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tn := commune(uniqueSlug("xa-sai"), "12799")
			c.change(tn)
			err := shared.k8s.Create(ctx, tn)
			if err == nil {
				_ = shared.k8s.Delete(ctx, tn)
				t.Fatalf("accepted %s", c.name)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error = %v\nwant it to contain %q", err, c.want)
			}
		})
	}

	// Immutable fields: the code, the kind and the parent.
	tn := commune(uniqueSlug("xa-bat-bien"), "12798")
	if err := shared.k8s.Create(ctx, tn); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = shared.k8s.Delete(ctx, tn) })
	for _, c := range []struct {
		change func(*platformv1.Tenant)
		want   string
	}{
		{func(tn *platformv1.Tenant) { tn.Spec.Code = "12797" }, "spec.code is immutable"},
		{func(tn *platformv1.Tenant) { tn.Spec.Parent = "tinh-thai-binh" }, "spec.parent is immutable"},
		{func(tn *platformv1.Tenant) { tn.Spec.Kind = platformv1.KindWard }, "spec.kind is immutable"},
	} {
		edit := tn.DeepCopy()
		c.change(edit)
		err := shared.k8s.Update(ctx, edit)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("update error = %v, want %q", err, c.want)
		}
	}
	// Defaults filled by the API server.
	if tn.Spec.DeletionPolicy != platformv1.DeletionRetain || tn.Spec.Quotas.ArchiveStorageGiB != 5 || tn.Spec.Quotas.CPU == nil || tn.Spec.Quotas.CPU.String() != "4" || tn.Spec.Quotas.Memory.String() != "8Gi" {
		t.Errorf("defaults = %+v %+v", tn.Spec.DeletionPolicy, tn.Spec.Quotas)
	}
}
