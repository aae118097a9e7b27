// Package v1alpha1 holds the Tenant API (group platform.egov.vn, version v1alpha1): one
// administrative unit (province, district, commune, ward or town) onboarded onto the platform.
// The CRD and its validation rules are generated from the markers here by controller-gen
// (`go generate` in the operator module; see ../../generate.go).
//
// +kubebuilder:object:generate=true
// +groupName=platform.egov.vn
package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// GroupVersion is the group and version of the Tenant API.
var GroupVersion = schema.GroupVersion{Group: "platform.egov.vn", Version: "v1alpha1"}

// AddToScheme registers Tenant and TenantList with s. It is a plain function rather than the
// usual package-level SchemeBuilder filled in init(), so nothing runs at import time.
func AddToScheme(s *runtime.Scheme) error {
	s.AddKnownTypes(GroupVersion, &Tenant{}, &TenantList{})
	metav1.AddToGroupVersion(s, GroupVersion)
	return nil
}
