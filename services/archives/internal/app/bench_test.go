package app_test

import (
	"testing"

	"gorm.io/gorm"

	"egov.vn/platform/libs/store/storetest"
	"egov.vn/platform/services/archives/internal/domain"
)

// BenchmarkRegister measures registrations (number, document row, event, one transaction) per
// second on each database, with parallel clerks contending for one register.
func BenchmarkRegister(b *testing.B) {
	for _, db := range []struct {
		name string
		open func(testing.TB) *gorm.DB
	}{
		{"sqlite", func(t testing.TB) *gorm.DB { return storetest.SQLite(t) }},
		{"postgres", func(t testing.TB) *gorm.DB { return storetest.Postgres(t) }},
	} {
		b.Run(db.name, func(b *testing.B) {
			a := newApp(b, db.open(b))
			ctx, who := clerkCtx("xa-dong-tan"), clerk("xa-dong-tan")
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := a.Register(ctx, who, document(domain.Outgoing, "Công văn đo tốc độ"), nil); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}
