package adapters_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"egov.vn/platform/libs/store/storetest"
	"egov.vn/platform/services/identity/internal/adapters"
)

// Private keys are stored encrypted: the database alone cannot sign tokens, and a replica with
// another secret says what is wrong instead of signing with garbage.
func TestSigningKeysAreEncryptedAtRest(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		if err := adapters.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		secret := []byte("0123456789abcdef0123456789abcdef")
		ring := adapters.NewKeyRing(db, 24*time.Hour, time.Hour, nil)
		if err := ring.EncryptKeysWith(secret); err != nil {
			t.Fatal(err)
		}
		key, err := ring.Signing(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var stored string
		if err := db.Raw("SELECT private_pem FROM signing_keys WHERE id = ?", key.ID).Scan(&stored).Error; err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(stored, "v1:") || strings.Contains(stored, "PRIVATE KEY") {
			t.Fatalf("the private key is stored in the clear: %.40q", stored)
		}

		// Another replica with the same secret reads it.
		same := adapters.NewKeyRing(db, 24*time.Hour, time.Hour, nil)
		_ = same.EncryptKeysWith(secret)
		if got, err := same.Signing(ctx); err != nil || got.ID != key.ID || !got.PrivateKey.Equal(key.PrivateKey) {
			t.Fatalf("a replica with the same secret: %v %v", got, err)
		}
		// One with another secret refuses with a message that says what to do.
		other := adapters.NewKeyRing(db, 24*time.Hour, time.Hour, nil)
		_ = other.EncryptKeysWith([]byte("another-secret-another-secret-32"))
		if _, err := other.Signing(ctx); err == nil || !strings.Contains(err.Error(), "IDENTITY_SECRET_KEY") {
			t.Fatalf("a replica with another secret: %v", err)
		}
	})
}
