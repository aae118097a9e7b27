package redact

import "testing"

func TestURLPasswords(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		`dial postgres://egov:s3cr3t@db:5432/x failed`:     `dial postgres://egov:***@db:5432/x failed`,
		`nats://a:b@n1:4222,nats://c:d@n2:4222`:            `nats://a:***@n1:4222,nats://c:***@n2:4222`,
		`postgres://egov@db/x (no password)`:               `postgres://egov@db/x (no password)`,
		`http://host:8080/path is not a userinfo password`: `http://host:8080/path is not a userinfo password`,
	}
	for in, want := range cases {
		if got := URLPasswords(in); got != want {
			t.Errorf("URLPasswords(%q) = %q, want %q", in, got, want)
		}
	}
}
