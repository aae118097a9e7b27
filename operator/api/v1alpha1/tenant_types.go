package v1alpha1

import (
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TenantKind is the level of the administrative unit. Communes, wards and towns (thị trấn) are
// the lowest level and sit under a district or, in two-tier provinces since 2025, under the
// province itself.
// +kubebuilder:validation:Enum=province;district;commune;ward;town
type TenantKind string

const (
	KindProvince TenantKind = "province"
	KindDistrict TenantKind = "district"
	KindCommune  TenantKind = "commune"
	KindWard     TenantKind = "ward"
	KindTown     TenantKind = "town"
)

// ServiceName names a platform service a tenant can use.
// +kubebuilder:validation:Enum=dossiers;archives;hr;reporting
type ServiceName string

const (
	ServiceDossiers  ServiceName = "dossiers"
	ServiceArchives  ServiceName = "archives"
	ServiceHR        ServiceName = "hr"
	ServiceReporting ServiceName = "reporting"
)

// AllServices are the services a tenant can use, in a fixed order.
var AllServices = []ServiceName{ServiceDossiers, ServiceArchives, ServiceHR, ServiceReporting}

// DeletionPolicy says what deleting the Tenant does to the unit's data.
// +kubebuilder:validation:Enum=Retain;Delete
type DeletionPolicy string

const (
	// DeletionRetain removes the Kubernetes objects but keeps the bucket and its records, and
	// keeps the identity tenant, disabled. It is the default: archives outlive their operator.
	DeletionRetain DeletionPolicy = "Retain"
	// DeletionDelete removes everything, once the bucket holds no object under retention.
	DeletionDelete DeletionPolicy = "Delete"
)

// RetentionMode is the object-lock mode of the bucket's default retention.
// +kubebuilder:validation:Enum=Governance;Compliance
type RetentionMode string

const (
	// RetentionGovernance locks objects, but a storage administrator holding the bypass
	// permission may still remove them (a court order, a mistaken upload).
	RetentionGovernance RetentionMode = "Governance"
	// RetentionCompliance locks objects for everyone, the administrator included, until the
	// retention ends.
	RetentionCompliance RetentionMode = "Compliance"
)

// TenantAdmin is one of the unit's IT administrators: an identity account with the tenant.admin
// role (the first one gets a one-time password in a Secret) and an admin of the namespace.
type TenantAdmin struct {
	// Username is the sign-in name, unique across the platform.
	// +kubebuilder:validation:Pattern=`^[a-z0-9][a-z0-9._-]{2,63}$`
	Username string `json:"username"`
	// Name is the person's full name as shown, e.g. "Phạm Văn Tuấn".
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=200
	Name string `json:"name"`
	// Email is optional.
	// +kubebuilder:validation:MaxLength=254
	// +kubebuilder:validation:Pattern=`^[^@\s]+@[^@\s]+$`
	// +optional
	Email string `json:"email,omitempty"`
}

// TenantQuotas bound what the unit may use.
type TenantQuotas struct {
	// CPU is the namespace's total CPU requests and limits.
	// +kubebuilder:default="4"
	// +optional
	CPU *resource.Quantity `json:"cpu,omitempty"`
	// Memory is the namespace's total memory requests and limits.
	// +kubebuilder:default="8Gi"
	// +optional
	Memory *resource.Quantity `json:"memory,omitempty"`
	// ArchiveStorageGiB is the hard quota of the unit's bucket, in GiB.
	// +kubebuilder:default=100
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=1048576
	// +optional
	ArchiveStorageGiB int64 `json:"archiveStorageGiB,omitempty"`
}

// ArchiveRetention is the default retention of every object put in the unit's bucket.
// +kubebuilder:validation:XValidation:rule="has(self.days) != has(self.years)",message="archiveRetention: set exactly one of days or years"
type ArchiveRetention struct {
	// Mode is Governance (the default) or Compliance.
	// +kubebuilder:default=Governance
	// +optional
	Mode RetentionMode `json:"mode,omitempty"`
	// Days of retention.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=36500
	// +optional
	Days *int32 `json:"days,omitempty"`
	// Years of retention.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=100
	// +optional
	Years *int32 `json:"years,omitempty"`
}

// TenantSpec is the unit as the IT operator declares it. The object's name is the unit's slug
// (a DNS label such as xa-dong-tan): it names the namespace tenant-<slug>, the bucket and the
// identity tenant.
//
// +kubebuilder:validation:XValidation:rule="!(self.kind in ['commune', 'ward', 'town']) || (has(self.parent) && size(self.parent) > 0)",message="a commune, ward or town needs a parent: set spec.parent to the slug of its district or province"
// +kubebuilder:validation:XValidation:rule="self.kind != 'district' || (has(self.parent) && size(self.parent) > 0)",message="a district needs a parent: set spec.parent to the slug of its province"
// +kubebuilder:validation:XValidation:rule="self.kind != 'province' || !has(self.parent)",message="a province has no parent: remove spec.parent"
// +kubebuilder:validation:XValidation:rule="(self.kind == 'province' && self.code.size() == 2) || (self.kind == 'district' && self.code.size() == 3) || (self.kind in ['commune', 'ward', 'town'] && self.code.size() == 5)",message="spec.code must be the official unit code: 2 digits for a province, 3 for a district, 5 for a commune, ward or town"
// +kubebuilder:validation:XValidation:rule="self.kind == oldSelf.kind",message="spec.kind is immutable"
// +kubebuilder:validation:XValidation:rule="has(self.parent) == has(oldSelf.parent) && (!has(self.parent) || self.parent == oldSelf.parent)",message="spec.parent is immutable: a unit cannot move in the tree"
type TenantSpec struct {
	// Code is the official unit code (Decision 124/2004/QĐ-TTg): 2 digits for a province, 3 for a
	// district, 5 for a commune, ward or town. It never changes.
	// +kubebuilder:validation:Pattern=`^[0-9]{2,5}$`
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="spec.code is immutable: the official unit code never changes"
	Code string `json:"code"`
	// DisplayName is the unit's name in Vietnamese, e.g. "UBND xã Đông Tân".
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=200
	DisplayName string `json:"displayName"`
	// Kind is province, district, commune, ward or town.
	Kind TenantKind `json:"kind"`
	// Parent is the slug of the unit above (a district or a province); required below province.
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`
	// +optional
	Parent string `json:"parent,omitempty"`
	// Admins are the unit's IT administrators; the first one is the identity tenant's admin.
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=20
	// +listType=map
	// +listMapKey=username
	Admins []TenantAdmin `json:"admins"`
	// Quotas bound the namespace and the bucket.
	// +kubebuilder:default={}
	// +optional
	Quotas TenantQuotas `json:"quotas,omitempty"`
	// Services the unit uses; the operator seeds data in each that is deployed.
	// +kubebuilder:default={dossiers,archives,hr,reporting}
	// +kubebuilder:validation:MaxItems=4
	// +listType=set
	// +optional
	Services []ServiceName `json:"services,omitempty"`
	// ArchiveRetention is the bucket's default retention; 10 years in Governance mode when unset.
	// +kubebuilder:default={mode: Governance, years: 10}
	// +optional
	ArchiveRetention ArchiveRetention `json:"archiveRetention,omitempty"`
	// DeletionPolicy is Retain (the default: keep the bucket, the records and the identity tenant,
	// disabled) or Delete (remove everything, once no object is under retention).
	// +kubebuilder:default=Retain
	// +optional
	DeletionPolicy DeletionPolicy `json:"deletionPolicy,omitempty"`
}

// CredentialSecret points at a Secret the operator made in the tenant's namespace.
type CredentialSecret struct {
	// Name of the Secret.
	Name string `json:"name"`
	// Namespace of the Secret.
	Namespace string `json:"namespace"`
	// Purpose says what it holds: admin-password or storage.
	Purpose string `json:"purpose"`
}

// TenantStatus says what is done and what is not.
type TenantStatus struct {
	// ObservedGeneration is the spec generation the conditions describe.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`
	// Conditions: one per onboarding step (NamespaceReady, IdentityReady, StorageReady,
	// CatalogueSeeded, OrganisationSeeded, ReportingRegistered), Ready summing them, and Deleting
	// while the finalizer runs.
	// +listType=map
	// +listMapKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`
	// Namespace is the tenant's namespace.
	// +optional
	Namespace string `json:"namespace,omitempty"`
	// BucketName is the tenant's MinIO bucket.
	// +optional
	BucketName string `json:"bucketName,omitempty"`
	// IdentityTenantID is the tenant's id in the identity service.
	// +optional
	IdentityTenantID string `json:"identityTenantID,omitempty"`
	// SecretRefs are the Secrets holding the credentials the operator was given.
	// +listType=map
	// +listMapKey=name
	// +optional
	SecretRefs []CredentialSecret `json:"secretRefs,omitempty"`
	// Admins are the usernames the operator made administrators in identity (spec.admins as last
	// applied). One that leaves spec.admins is disabled in identity; accounts the tenant's own
	// administrators made are never in this list, so the operator never touches them.
	// +listType=set
	// +optional
	Admins []string `json:"admins,omitempty"`
}

// Tenant is one administrative unit onboarded onto the platform. Its name is the unit's slug.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:scope=Cluster,path=egovtenants,singular=egovtenant,shortName=tn
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Reason",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`
// +kubebuilder:printcolumn:name="Code",type=string,JSONPath=`.spec.code`
// +kubebuilder:printcolumn:name="Parent",type=string,JSONPath=`.spec.parent`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
// +kubebuilder:validation:XValidation:rule="self.metadata.name.matches('^[a-z0-9]([a-z0-9-]{0,48}[a-z0-9])?$')",message="metadata.name is the unit's slug: lower-case letters, digits and '-', at most 50 characters, e.g. xa-dong-tan"
type Tenant struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   TenantSpec   `json:"spec"`
	Status TenantStatus `json:"status,omitempty"`
}

// TenantList is a list of Tenants.
//
// +kubebuilder:object:root=true
type TenantList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Tenant `json:"items"`
}

// RetentionDays is the default retention in days, whichever unit the spec used.
func (r ArchiveRetention) RetentionDays() (days int32, years int32) {
	if r.Years != nil {
		return 0, *r.Years
	}
	if r.Days != nil {
		return *r.Days, 0
	}
	return 0, 10
}

// Uses reports whether the tenant enabled service s.
func (s TenantSpec) Uses(svc ServiceName) bool {
	for _, x := range s.Services {
		if x == svc {
			return true
		}
	}
	return false
}
