package platform

// The storage contract: every tenant's files live in one MinIO bucket of its own, named from its
// slug (BucketName), always created with object lock, which turns versioning on. The operator
// creates and keeps it with the Tenant's default retention, quota and policy; dossiers and
// archives write to it, and create it the same way when it is missing (libs/objstore
// EnsureBucket), never without object lock: a bucket made without it can never get it later, and
// records put there could be deleted.

const (
	// NamespacePrefix names a tenant's Kubernetes namespace: NamespacePrefix + slug.
	NamespacePrefix = "tenant-"
	// BucketPrefix names a tenant's bucket: BucketPrefix + slug.
	BucketPrefix = "tenant-"
)

// BucketName is the bucket of tenant. testPrefix is "" in production; tests put a random one in
// front so that parallel tests on one MinIO never share a bucket.
func BucketName(testPrefix string, tenant Slug) string {
	return testPrefix + BucketPrefix + string(tenant)
}

// RetentionMode is the object-lock mode of a bucket's default retention.
type RetentionMode string

const (
	// RetentionGovernance locks objects, but a storage administrator holding the bypass
	// permission can still remove them (e.g. a court order).
	RetentionGovernance RetentionMode = "Governance"
	// RetentionCompliance locks objects for everyone, the administrator included, until the
	// retention ends.
	RetentionCompliance RetentionMode = "Compliance"
)

// Bucket is what a tenant's bucket must be.
type Bucket struct {
	Name string
	// Mode and exactly one of Days or Years give the default retention of every object put in.
	Mode  RetentionMode
	Days  uint
	Years uint
	// QuotaBytes is the hard quota; 0 sets none (the services never set one: only the operator
	// keeps quotas).
	QuotaBytes uint64
}

// DefaultRetention is a tenant bucket's default retention when its Tenant sets none: ten years in
// Governance mode. Only the operator sets a bucket's default retention; a service that creates a
// missing bucket gives it object lock and versioning and leaves retention to the operator and to
// each record's own retention class.
var DefaultRetention = Bucket{Mode: RetentionGovernance, Years: 10}
