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

func TestDSNHidesPasswordAndQuery(t *testing.T) {
	t.Parallel()
	if got := DSN("postgres://egov:s3cret@127.0.0.1:5432/db"); got != "postgres://egov:xxxxx@127.0.0.1:5432/db" {
		t.Errorf("DSN = %q", got)
	}
	if got := DSN("postgres://egov@db/x?password=s3cret&sslmode=disable"); got != "postgres://egov@db/x" {
		t.Errorf("DSN with a password in the query = %q", got)
	}
	if got := DSN("host=db user=egov password=s3cret"); got != NotAURL {
		t.Errorf("key=value DSN = %q, want it hidden whole", got)
	}
}
