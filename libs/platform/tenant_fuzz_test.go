package platform_test

import (
	"errors"
	"regexp"
	"testing"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/events"
	"egov.vn/platform/libs/platform"
)

// bucketRE is S3's rule for bucket names (3–63 lower-case letters, digits, '.', '-', starting and
// ending with a letter or digit); dots are left out, as virtual-host TLS needs.
var bucketRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$`)

// FuzzParseSlug: a slug is accepted only if every name made from it is valid where it is used:
// the tenant's namespace (a DNS label), its bucket, and the tenant token of event subjects; a
// refusal is an invalid apperr naming the field.
func FuzzParseSlug(f *testing.F) {
	for _, s := range []string{"xa-dong-tan", "huyen-dong-hung", "a", "x1", "-a", "a-", "A", "xa_dong", "xa.dong", "xã-đông-tân",
		"a234567890123456789012345678901234567890123456789012345", "a2345678901234567890123456789012345678901234567890123456"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		slug, err := platform.ParseSlug("slug", s)
		if err != nil {
			var e *apperr.Error
			if !errors.As(err, &e) || e.Kind != apperr.KindInvalid || len(e.Fields) == 0 || e.Fields[0].Field != "slug" {
				t.Fatalf("ParseSlug(%q): %T %v, want an invalid apperr naming the field", s, err, err)
			}
			return
		}
		if string(slug) != s {
			t.Fatalf("ParseSlug(%q) = %q", s, slug)
		}
		if ns := platform.NamespacePrefix + s; len(ns) > 63 || !bucketRE.MatchString(ns) {
			t.Fatalf("slug %q gives the namespace %q, not a DNS label", s, ns)
		}
		if b := platform.BucketName("", slug); !bucketRE.MatchString(b) {
			t.Fatalf("slug %q gives the bucket %q", s, b)
		}
		topic := events.Topic{Tenant: s, Service: "dossiers", Entity: "dossier", Verb: "received"}
		if err := topic.Validate(); err != nil {
			t.Fatalf("slug %q is not an event subject token: %v", s, err)
		}
	})
}
