// Package storage keeps a tenant's MinIO bucket as the Tenant asks: created with object lock
// (which also turns versioning on), versioning enabled, a default retention, a hard quota and an
// IAM policy scoped to the bucket alone. Buckets and retention go through minio-go; quota and
// policy use MinIO's admin API, signed here with minio-go's SigV4 signer because the admin SDK
// (madmin-go) is AGPL-licensed. Deleting a bucket refuses while any version is still locked.
package storage

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/signer"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/objstore"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/telemetry"
)

// Store is one MinIO deployment, reached with credentials allowed to administer buckets,
// quotas and policies (the root user or an equivalent admin).
type Store struct {
	s3     *minio.Client
	cfg    objstore.Config
	admin  *http.Client
	scheme string
	region string
}

// New returns a Store for cfg.
func New(cfg objstore.Config) (*Store, error) {
	s3, err := objstore.New(cfg)
	if err != nil {
		return nil, err
	}
	scheme, region := "http", cfg.Region
	if cfg.UseTLS {
		scheme = "https"
	}
	if region == "" {
		region = "us-east-1" // MinIO's default region, which admin requests are signed for
	}
	return &Store{s3: s3, cfg: cfg, scheme: scheme, region: region,
		admin: &http.Client{Transport: telemetry.Transport(http.DefaultTransport), Timeout: 30 * time.Second}}, nil
}

// S3 returns the underlying client (tests put objects through it).
func (s *Store) S3() *minio.Client { return s.s3 }

// Bucket is what the Tenant asks of its bucket: the platform's storage contract, so the operator,
// dossiers and archives cannot disagree on a tenant's bucket. An empty Mode is Governance.
type Bucket = platform.Bucket

// Ensure creates the bucket or puts back whatever drifted, and returns what it had to change
// (empty when everything was already as asked). A bucket someone made without object lock cannot
// be fixed (S3 cannot add it later): that is a conflict to resolve by hand.
func (s *Store) Ensure(ctx context.Context, b Bucket) (changed []string, err error) {
	exists, err := s.s3.BucketExists(ctx, b.Name)
	if err != nil {
		return nil, unavailable(err)
	}
	if !exists {
		if err := s.s3.MakeBucket(ctx, b.Name, minio.MakeBucketOptions{Region: s.cfg.Region, ObjectLocking: true}); err != nil {
			if r := minio.ToErrorResponse(err); r.Code != "BucketAlreadyOwnedByYou" {
				return nil, unavailable(err)
			}
		}
		changed = append(changed, "bucket")
	}
	lock, mode, validity, unit, err := s.s3.GetObjectLockConfig(ctx, b.Name)
	if err != nil && minio.ToErrorResponse(err).Code != "ObjectLockConfigurationNotFoundError" {
		return changed, unavailable(err)
	}
	if lock != "Enabled" {
		return changed, apperr.Conflict("object_lock_missing",
			fmt.Sprintf("bucket %s exists without object lock, which cannot be added afterwards; move its objects to a new bucket made with object lock, remove it and let the operator create it", b.Name))
	}
	v, err := s.s3.GetBucketVersioning(ctx, b.Name)
	if err != nil {
		return changed, unavailable(err)
	}
	if !v.Enabled() {
		if err := s.s3.EnableVersioning(ctx, b.Name); err != nil {
			return changed, unavailable(err)
		}
		changed = append(changed, "versioning")
	}
	wantMode, wantValidity, wantUnit := minio.Governance, b.Days, minio.Days
	if b.Mode == platform.RetentionCompliance {
		wantMode = minio.Compliance
	}
	if b.Years > 0 {
		wantValidity, wantUnit = b.Years, minio.Years
	}
	if mode == nil || *mode != wantMode || validity == nil || *validity != wantValidity || unit == nil || *unit != wantUnit {
		if err := s.s3.SetObjectLockConfig(ctx, b.Name, &wantMode, &wantValidity, &wantUnit); err != nil {
			return changed, unavailable(err)
		}
		changed = append(changed, "retention")
	}
	q, err := s.quota(ctx, b.Name)
	if err != nil {
		return changed, err
	}
	if q.Size != b.QuotaBytes || q.Type != "hard" {
		if err := s.setQuota(ctx, b.Name, b.QuotaBytes); err != nil {
			return changed, err
		}
		changed = append(changed, "quota")
	}
	want := BucketPolicy(b.Name)
	have, err := s.policy(ctx, PolicyName(b.Name))
	if err != nil {
		return changed, err
	}
	if !have.equal(want) {
		if err := s.putPolicy(ctx, PolicyName(b.Name), want); err != nil {
			return changed, err
		}
		changed = append(changed, "policy")
	}
	return changed, nil
}

// Locks is what still holds a bucket's deletion back.
type Locks struct {
	Versions int       // object versions in the bucket
	Locked   int       // versions under retention or legal hold
	Until    time.Time // when the last retention ends (zero when only legal holds remain)
}

// Locks counts the versions in the bucket and those still locked. A missing bucket has none.
func (s *Store) Locks(ctx context.Context, bucket string) (Locks, error) {
	var l Locks
	exists, err := s.s3.BucketExists(ctx, bucket)
	if err != nil {
		return l, unavailable(err)
	}
	if !exists {
		return l, nil
	}
	now := time.Now()
	for obj := range s.s3.ListObjects(ctx, bucket, minio.ListObjectsOptions{WithVersions: true, Recursive: true}) {
		if obj.Err != nil {
			return l, unavailable(obj.Err)
		}
		l.Versions++
		if obj.IsDeleteMarker {
			continue
		}
		_, until, err := s.s3.GetObjectRetention(ctx, bucket, obj.Key, obj.VersionID)
		if err != nil && minio.ToErrorResponse(err).Code != "NoSuchObjectLockConfiguration" {
			return l, unavailable(err)
		}
		locked := until != nil && until.After(now)
		if locked && until.After(l.Until) {
			l.Until = *until
		}
		hold, err := s.s3.GetObjectLegalHold(ctx, bucket, obj.Key, minio.GetObjectLegalHoldOptions{VersionID: obj.VersionID})
		if err != nil && minio.ToErrorResponse(err).Code != "NoSuchObjectLockConfiguration" {
			return l, unavailable(err)
		}
		if hold != nil && *hold == minio.LegalHoldEnabled {
			locked = true
		}
		if locked {
			l.Locked++
		}
	}
	return l, nil
}

// Delete removes every version in the bucket, the bucket, the tenant's user and the policy. It refuses (a
// conflict) while any version is locked: retention is never bypassed by the operator.
func (s *Store) Delete(ctx context.Context, bucket string) error {
	l, err := s.Locks(ctx, bucket)
	if err != nil {
		return err
	}
	if l.Locked > 0 {
		return apperr.Conflict("objects_locked", fmt.Sprintf("bucket %s holds %d locked object versions", bucket, l.Locked))
	}
	if l.Versions > 0 {
		objs := make(chan minio.ObjectInfo)
		go func() {
			defer close(objs)
			for obj := range s.s3.ListObjects(ctx, bucket, minio.ListObjectsOptions{WithVersions: true, Recursive: true}) {
				if obj.Err == nil {
					objs <- obj
				}
			}
		}()
		for e := range s.s3.RemoveObjects(ctx, bucket, objs, minio.RemoveObjectsOptions{}) {
			if e.Err != nil {
				return unavailable(fmt.Errorf("remove %s: %w", e.ObjectName, e.Err))
			}
		}
	}
	if err := s.s3.RemoveBucket(ctx, bucket); err != nil && minio.ToErrorResponse(err).Code != "NoSuchBucket" {
		return unavailable(err)
	}
	// The tenant's user goes first: MinIO refuses to remove a policy still attached to a user.
	if err := s.RemoveUser(ctx, UserName(bucket)); err != nil {
		return err
	}
	if _, err := s.adminCall(ctx, http.MethodDelete, "remove-canned-policy", url.Values{"name": {PolicyName(bucket)}}, nil); err != nil && !isNotFound(err) {
		return err
	}
	return nil
}

// Exists reports whether the bucket exists (tests and status).
func (s *Store) Exists(ctx context.Context, bucket string) (bool, error) {
	ok, err := s.s3.BucketExists(ctx, bucket)
	if err != nil {
		return false, unavailable(err)
	}
	return ok, nil
}

// PolicyName is the IAM policy that grants a bucket and nothing else.
func PolicyName(bucket string) string { return bucket + "-rw" }

// Policy is an IAM policy document, in the subset the operator writes.
type Policy struct {
	Version   string      `json:"Version"`
	Statement []Statement `json:"Statement"`
}

// Statement is one allow statement.
type Statement struct {
	Effect   string  `json:"Effect"`
	Action   strList `json:"Action"`
	Resource strList `json:"Resource"`
}

// strList reads an IAM field that may be a string or a list.
type strList []string

func (l *strList) UnmarshalJSON(b []byte) error {
	var one string
	if json.Unmarshal(b, &one) == nil {
		*l = []string{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*l = many
	return nil
}

// BucketPolicy grants reading, writing and locking objects in bucket, and nothing outside it.
// Deleting a version under retention stays impossible: object lock refuses it whatever the policy.
func BucketPolicy(bucket string) Policy {
	arn := "arn:aws:s3:::" + bucket
	return Policy{Version: "2012-10-17", Statement: []Statement{
		{Effect: "Allow", Resource: strList{arn}, Action: strList{
			"s3:GetBucketLocation", "s3:GetBucketObjectLockConfiguration", "s3:GetBucketVersioning", "s3:ListBucket", "s3:ListBucketVersions"}},
		{Effect: "Allow", Resource: strList{arn + "/*"}, Action: strList{
			"s3:DeleteObject", "s3:GetObject", "s3:GetObjectLegalHold", "s3:GetObjectRetention", "s3:GetObjectVersion",
			"s3:PutObject", "s3:PutObjectLegalHold", "s3:PutObjectRetention"}},
	}}
}

// equal compares policies as sets of actions and resources per statement, since MinIO may
// reorder them when it stores the document.
func (p Policy) equal(q Policy) bool {
	norm := func(p Policy) []string {
		var out []string
		for _, s := range p.Statement {
			a, r := slices.Clone(s.Action), slices.Clone(s.Resource)
			slices.Sort(a)
			slices.Sort(r)
			b, _ := json.Marshal([]any{s.Effect, a, r})
			out = append(out, string(b))
		}
		slices.Sort(out)
		return out
	}
	return slices.Equal(norm(p), norm(q))
}

type bucketQuota struct {
	Quota uint64 `json:"quota"` // the field older servers read
	Size  uint64 `json:"size"`
	Type  string `json:"quotatype,omitempty"`
}

func (s *Store) quota(ctx context.Context, bucket string) (bucketQuota, error) {
	var q bucketQuota
	body, err := s.adminCall(ctx, http.MethodGet, "get-bucket-quota", url.Values{"bucket": {bucket}}, nil)
	if err != nil {
		if isNotFound(err) {
			return q, nil
		}
		return q, err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return q, nil
	}
	if err := json.Unmarshal(body, &q); err != nil {
		return q, fmt.Errorf("storage: read quota of %s: %w", bucket, err)
	}
	if q.Size == 0 {
		q.Size = q.Quota
	}
	return q, nil
}

func (s *Store) setQuota(ctx context.Context, bucket string, size uint64) error {
	b, _ := json.Marshal(bucketQuota{Quota: size, Size: size, Type: "hard"})
	_, err := s.adminCall(ctx, http.MethodPut, "set-bucket-quota", url.Values{"bucket": {bucket}}, b)
	return err
}

func (s *Store) policy(ctx context.Context, name string) (Policy, error) {
	var p Policy
	body, err := s.adminCall(ctx, http.MethodGet, "info-canned-policy", url.Values{"name": {name}}, nil)
	if err != nil {
		if isNotFound(err) {
			return p, nil
		}
		return p, err
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return p, fmt.Errorf("storage: read policy %s: %w", name, err)
	}
	return p, nil
}

func (s *Store) putPolicy(ctx context.Context, name string, p Policy) error {
	b, _ := json.Marshal(p)
	_, err := s.adminCall(ctx, http.MethodPut, "add-canned-policy", url.Values{"name": {name}}, b)
	return err
}

// adminError is an error answer of MinIO's admin API.
type adminError struct {
	Status  int
	Code    string `json:"Code"`
	Message string `json:"Message"`
}

func (e *adminError) Error() string {
	return fmt.Sprintf("MinIO admin API answered %d %s: %s", e.Status, e.Code, e.Message)
}

func isNotFound(err error) bool {
	var ae *adminError
	if !errors.As(err, &ae) {
		return false
	}
	return ae.Status == http.StatusNotFound || ae.Code == "XMinioAdminNoSuchPolicy" || ae.Code == "XMinioAdminNoSuchQuotaConfiguration" ||
		ae.Code == "XMinioAdminBucketQuotaDisabled" // no quota set yet on some versions
}

// adminCall sends one signed request to /minio/admin/v3/<op>.
func (s *Store) adminCall(ctx context.Context, method, op string, q url.Values, body []byte) ([]byte, error) {
	u := url.URL{Scheme: s.scheme, Host: s.cfg.Endpoint, Path: "/minio/admin/v3/" + op, RawQuery: q.Encode()}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(body)
	req.Header.Set("X-Amz-Content-Sha256", hex.EncodeToString(sum[:]))
	req.ContentLength = int64(len(body))
	req = signer.SignV4(*req, s.cfg.AccessKey, s.cfg.SecretKey, "", s.region)
	resp, err := s.admin.Do(req)
	if err != nil {
		return nil, unavailable(err)
	}
	defer func() { _ = resp.Body.Close() }()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, unavailable(err)
	}
	if resp.StatusCode/100 != 2 {
		ae := &adminError{Status: resp.StatusCode}
		_ = json.Unmarshal(data, ae)
		if ae.Status >= 500 {
			return nil, apperr.Unavailable("MinIO", ae)
		}
		return nil, ae
	}
	return data, nil
}

func unavailable(err error) error {
	r := minio.ToErrorResponse(err)
	if r.StatusCode == http.StatusForbidden {
		return apperr.Forbidden("MinIO refused the operator's credentials: " + r.Message).WithCause(err)
	}
	return apperr.Unavailable("MinIO", err)
}
