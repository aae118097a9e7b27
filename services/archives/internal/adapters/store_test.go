package adapters_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"gorm.io/gorm"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/events"
	"egov.vn/platform/libs/store"
	"egov.vn/platform/libs/store/storetest"
	"egov.vn/platform/services/archives/internal/adapters"
	"egov.vn/platform/services/archives/internal/domain"
)

func scoped(tenant string) context.Context {
	return store.WithScope(context.Background(), store.Scope{Tenant: tenant})
}

func newStore(t *testing.T, db *gorm.DB) *adapters.Store {
	t.Helper()
	if err := adapters.Migrate(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	// Migrating twice (a second replica starting) changes nothing.
	if err := adapters.Migrate(context.Background(), db); err != nil {
		t.Fatalf("second migration: %v", err)
	}
	return adapters.NewStore(db, events.NewOutbox(nil))
}

func register(t *testing.T, s *adapters.Store, tenant string, dir domain.Direction, subject string) domain.Document {
	t.Helper()
	ctx := scoped(tenant)
	d := domain.Document{ID: newID(t), Direction: dir, IssuingOrgan: "UBND " + tenant, Type: "quyet-dinh", Symbol: "QĐ-UBND",
		IssuedDate: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), Subject: subject, Signer: "Trần Văn An", Language: "vi",
		Pages: 2, Priority: domain.PriorityNormal, Security: domain.SecurityNormal, Year: 2026, RegisteredAt: time.Now().UTC(), RegisteredBy: "u1"}
	err := s.Transact(ctx, func(ctx context.Context) error {
		n, err := s.NextNumber(ctx, dir, 2026)
		if err != nil {
			return err
		}
		d.Number, d.SourceNumber = n, n
		return s.CreateDocument(ctx, &d)
	})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

var seq int

func newID(t *testing.T) string {
	t.Helper()
	seq++
	return fmt.Sprintf("00000000-0000-7000-8000-%012d", seq)
}

func TestStoreContract(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		s := newStore(t, db)
		a1 := register(t, s, "xa-dong-tan", domain.Outgoing, "Quyết định thành lập tổ công tác chuyển đổi số")
		a2 := register(t, s, "xa-dong-tan", domain.Outgoing, "Kế hoạch phòng chống lụt bão năm 2026")
		register(t, s, "xa-dong-tan", domain.Incoming, "Công văn về việc đường giao thông nông thôn")
		b1 := register(t, s, "xa-dong-la", domain.Outgoing, "Quyết định khen thưởng")

		t.Run("numbers per tenant, register and year", func(t *testing.T) {
			if a1.Number != 1 || a2.Number != 2 || b1.Number != 1 {
				t.Fatalf("numbers %d, %d (xa-dong-tan) and %d (xa-dong-la), want 1, 2 and 1", a1.Number, a2.Number, b1.Number)
			}
			in, err := s.Documents(scoped("xa-dong-tan"), domain.DocumentQuery{Direction: domain.Incoming})
			if err != nil || len(in) != 1 || in[0].Number != 1 {
				t.Fatalf("incoming register: %+v, %v", in, err)
			}
		})
		t.Run("read back equals what was written", func(t *testing.T) {
			got, err := s.Document(scoped("xa-dong-tan"), a1.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Subject != a1.Subject || got.Notation() != "1/QĐ-UBND" || !got.IssuedDate.Equal(a1.IssuedDate) || got.Pages != 2 {
				t.Fatalf("read %+v", got)
			}
		})
		t.Run("another tenant's document is not found", func(t *testing.T) {
			_, err := s.Document(scoped("xa-dong-la"), a1.ID)
			if apperr.KindOf(err) != apperr.KindNotFound {
				t.Fatalf("xa-dong-la read xa-dong-tan's document: %v", err)
			}
			list, err := s.Documents(scoped("xa-dong-la"), domain.DocumentQuery{})
			if err != nil || len(list) != 1 || list[0].ID != b1.ID {
				t.Fatalf("xa-dong-la's list: %+v, %v", list, err)
			}
			if _, err := s.Documents(context.Background(), domain.DocumentQuery{}); !errors.Is(err, store.ErrNoScope) {
				t.Fatalf("list without scope: %v", err)
			}
		})
		t.Run("full text without diacritics", func(t *testing.T) {
			for q, want := range map[string]int{"quyet dinh": 1, "Quyết định": 1, "LỤT BÃO": 1, "duong giao thong": 1, "chuyen doi so": 1, "khen thuong": 0, "QĐ-UBND": 3} {
				got, err := s.Documents(scoped("xa-dong-tan"), domain.DocumentQuery{Text: q})
				if err != nil {
					t.Fatalf("search %q: %v", q, err)
				}
				if len(got) != want {
					t.Errorf("search %q in xa-dong-tan: %d documents, want %d", q, len(got), want)
				}
			}
		})
		t.Run("search past the newest documents, in pages", func(t *testing.T) {
			// More documents than PostgreSQL's search reads in order before it turns to the
			// index (searchWindow), the only matches of "đê điều" the three oldest: the index
			// path must find them, in the register's order, a page at a time, and nothing of
			// the unit next door where the word is common.
			const total = 1100
			ctx := scoped("xa-tim-kiem")
			at := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
			err := s.Transact(ctx, func(ctx context.Context) error {
				for i := 1; i <= total; i++ {
					subject := "Kế hoạch tuần"
					if i <= 3 {
						subject = "Kế hoạch tu bổ đê điều"
					}
					n, err := s.NextNumber(ctx, domain.Outgoing, 2026)
					if err != nil {
						return err
					}
					d := domain.Document{ID: newID(t), Direction: domain.Outgoing, Year: 2026, Number: n, SourceNumber: n, IssuingOrgan: "UBND",
						Type: "ke-hoach", Symbol: "KH-UBND", IssuedDate: at, Subject: subject, Signer: "Trần Văn An", Language: "vi", Pages: 1,
						Priority: domain.PriorityNormal, Security: domain.SecurityNormal, RegisteredAt: at.Add(time.Duration(i) * time.Second), RegisteredBy: "u1"}
					if err := s.CreateDocument(ctx, &d); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			for range 5 {
				register(t, s, "xa-dong-la", domain.Outgoing, "Báo cáo đê điều")
			}
			numbers := func(q domain.DocumentQuery) []int {
				t.Helper()
				got, err := s.Documents(ctx, q)
				if err != nil {
					t.Fatalf("search %+v: %v", q, err)
				}
				out := make([]int, len(got))
				for i, d := range got {
					out[i] = d.Number
				}
				return out
			}
			for _, c := range []struct {
				q    domain.DocumentQuery
				want []int
			}{
				{domain.DocumentQuery{Text: "de dieu"}, []int{3, 2, 1}},
				{domain.DocumentQuery{Text: "đê điều", Limit: 2}, []int{3, 2}},
				{domain.DocumentQuery{Text: "đê điều", Limit: 2, Offset: 2}, []int{1}},
				{domain.DocumentQuery{Text: "ke hoach", Limit: 3}, []int{1100, 1099, 1098}},
				{domain.DocumentQuery{Text: "ke hoach", Limit: 50, Offset: 1097}, []int{3, 2, 1}},
				{domain.DocumentQuery{Text: "ke hoach tuan", Limit: 2, Offset: 1096}, []int{4}},
			} {
				if got := numbers(c.q); fmt.Sprint(got) != fmt.Sprint(c.want) {
					t.Errorf("search %q limit %d offset %d: numbers %v, want %v", c.q.Text, c.q.Limit, c.q.Offset, got, c.want)
				}
			}
		})
		t.Run("record files, unique code, search", func(t *testing.T) {
			ctx := scoped("xa-dong-tan")
			r := domain.RecordFile{ID: newID(t), FileCode: "01.VP.2026", Title: "Hồ sơ hội nghị tổng kết", Retention: domain.RetentionClass{Years: 20},
				Rights: domain.RightsPublic, Creator: "Lê Thị Mai", StartDate: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), CreatedAt: time.Now().UTC()}
			if err := s.CreateRecord(ctx, &r); err != nil {
				t.Fatal(err)
			}
			dup := r
			dup.ID = newID(t)
			if err := s.CreateRecord(ctx, &dup); apperr.KindOf(err) != apperr.KindConflict {
				t.Fatalf("duplicate file code: %v", err)
			}
			other := r
			other.ID, other.Tenant = newID(t), ""
			if err := s.CreateRecord(scoped("xa-dong-la"), &other); err != nil {
				t.Fatalf("same code in another tenant: %v", err)
			}
			got, err := s.Records(ctx, domain.RecordQuery{Text: "hoi nghi"})
			if err != nil || len(got) != 1 || got[0].Retention.Years != 20 {
				t.Fatalf("record search: %+v, %v", got, err)
			}
			if err := s.FileDocument(ctx, a1.ID, r.ID); err != nil {
				t.Fatal(err)
			}
			if err := s.FileDocument(scoped("xa-dong-la"), a1.ID, r.ID); apperr.KindOf(err) != apperr.KindNotFound {
				t.Fatalf("another tenant filed our document: %v", err)
			}
			in, err := s.Documents(ctx, domain.DocumentQuery{RecordID: r.ID})
			if err != nil || len(in) != 1 {
				t.Fatalf("documents of record: %+v, %v", in, err)
			}
		})
		t.Run("files, fixity claims and access log", func(t *testing.T) {
			ctx := scoped("xa-dong-tan")
			f := domain.StoredFile{ID: newID(t), DocumentID: a1.ID, Name: "qd.pdf", Bucket: "xa-dong-tan", Key: "documents/x/1", VersionID: "v1",
				Size: 10, SHA256: "ab", ContentType: "application/pdf", CreatedAt: time.Now().UTC().Add(-time.Hour), CreatedBy: "u1"}
			if err := s.AddFile(ctx, &f); err != nil {
				t.Fatal(err)
			}
			if _, err := s.File(scoped("xa-dong-la"), f.ID); apperr.KindOf(err) != apperr.KindNotFound {
				t.Fatalf("another tenant read the file: %v", err)
			}
			now := time.Now().UTC()
			first, err := s.ClaimFixity(context.Background(), now, time.Minute, 10)
			if err != nil || len(first) != 1 {
				t.Fatalf("first claim: %d, %v", len(first), err)
			}
			// A second replica asking at the same moment gets nothing: the lease holds.
			second, err := s.ClaimFixity(context.Background(), now, time.Minute, 10)
			if err != nil || len(second) != 0 {
				t.Fatalf("second claim: %d, %v", len(second), err)
			}
			if err := s.LogAccess(ctx, domain.Access{ID: newID(t), DocumentID: a1.ID, FileID: f.ID, Actor: "u1", Action: "download", At: now}); err != nil {
				t.Fatal(err)
			}
			log, err := s.AccessLog(ctx, a1.ID)
			if err != nil || len(log) != 1 {
				t.Fatalf("access log: %+v, %v", log, err)
			}
			if other, _ := s.AccessLog(scoped("xa-dong-la"), a1.ID); len(other) != 0 {
				t.Fatalf("another tenant read the access log: %+v", other)
			}
		})
		t.Run("deliveries are seen by sender and recipient only", func(t *testing.T) {
			d := domain.Delivery{ID: newID(t), SenderTenant: "xa-dong-tan", DocumentID: a2.ID, RecipientTenant: "xa-dong-la",
				IncomingDocumentID: newID(t), IncomingNumber: 1, State: domain.DeliveryReceived, SentAt: time.Now().UTC(), ReceivedAt: time.Now().UTC()}
			if err := s.CreateDelivery(scoped("xa-dong-la"), d); !errors.Is(err, store.ErrCrossTenant) {
				t.Fatalf("recipient created the sender's delivery: %v", err)
			}
			if err := s.CreateDelivery(scoped("xa-dong-tan"), d); err != nil {
				t.Fatal(err)
			}
			for tenant, want := range map[string]int{"xa-dong-tan": 1, "xa-dong-la": 1, "huyen-dong-hung": 0} {
				got, err := s.Deliveries(scoped(tenant), a2.ID)
				if err != nil || len(got) != want {
					t.Errorf("%s sees %d deliveries (%v), want %d", tenant, len(got), err, want)
				}
			}
			if err := s.MarkDeliveryRead(scoped("xa-dong-tan"), d.ID, time.Now().UTC()); err != nil {
				t.Fatal(err)
			}
			got, _ := s.Deliveries(scoped("xa-dong-tan"), a2.ID)
			if got[0].State != domain.DeliveryReceived {
				t.Fatalf("the sender marked its own delivery read: %s", got[0].State)
			}
			if err := s.MarkDeliveryRead(scoped("xa-dong-la"), d.ID, time.Now().UTC()); err != nil {
				t.Fatal(err)
			}
			got, _ = s.Deliveries(scoped("xa-dong-tan"), a2.ID)
			if got[0].State != domain.DeliveryRead || got[0].ReadAt == nil {
				t.Fatalf("after the recipient read it: %+v", got[0])
			}
		})
	})
}
