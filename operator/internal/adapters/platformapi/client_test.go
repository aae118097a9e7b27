package platformapi

import "testing"

func TestInternalEndpointMovesDiscoveredEndpointsOntoTheInternalURL(t *testing.T) {
	for _, c := range []struct{ internal, public, endpoint, want string }{
		{"http://identity.egov-platform.svc:8080/auth", "https://egov.example.vn/auth", "https://egov.example.vn/auth/oauth/token",
			"http://identity.egov-platform.svc:8080/auth/oauth/token"},
		{"http://identity:8080/auth/", "https://egov.example.vn/auth/", "https://egov.example.vn/auth/oauth/token", "http://identity:8080/auth/oauth/token"},
		// An endpoint outside the public issuer keeps its path on the internal origin.
		{"http://identity:8080/auth", "https://egov.example.vn/auth", "https://login.example.vn/auth/oauth/token", "http://identity:8080/auth/oauth/token"},
		// A prefix that only looks like the issuer is not taken for it.
		{"http://identity:8080/auth", "https://egov.example.vn/auth", "https://egov.example.vn/authz/token", "http://identity:8080/authz/token"},
		// The same URL inside and out changes nothing.
		{"http://127.0.0.1:8080/auth", "http://127.0.0.1:8080/auth", "http://127.0.0.1:8080/auth/oauth/token", "http://127.0.0.1:8080/auth/oauth/token"},
	} {
		got, err := internalEndpoint(c.internal, c.public, c.endpoint)
		if err != nil || got != c.want {
			t.Errorf("internalEndpoint(%q, %q, %q) = %q, %v; want %q", c.internal, c.public, c.endpoint, got, err, c.want)
		}
	}
}
