package service_test

import (
	"context"
	"testing"

	"golang.org/x/oauth2/clientcredentials"
)

func clientCredentials(t *testing.T, issuer, id, secret string) string {
	t.Helper()
	cc := clientcredentials.Config{ClientID: id, ClientSecret: secret, TokenURL: issuer + "/oauth/token", EndpointParams: map[string][]string{"audience": {"archives"}}}
	tok, err := cc.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return tok.AccessToken
}
