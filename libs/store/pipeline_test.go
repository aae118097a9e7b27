package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"egov.vn/platform/libs/store"
	"egov.vn/platform/libs/store/storetest"
)

// counterRow is a per-tenant sequence, the shape PipelineTx is for: take a number, then write
// rows that carry it.
type counterRow struct {
	Tenant string `gorm:"primaryKey"`
	Seq    int
}

func TestPipelineTx(t *testing.T) {
	t.Parallel()
	db := storetest.Postgres(t, store.WithMaxOpenConns(1)) // one connection: a leak into the next call shows
	if err := db.AutoMigrate(&note{}, &counterRow{}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	scope := store.Scope{Tenant: commune1}
	take := func(seq *int) store.Stmt {
		return store.Stmt{SQL: `INSERT INTO counter_rows (tenant, seq) VALUES ($1, 1)
ON CONFLICT (tenant) DO UPDATE SET seq = counter_rows.seq + 1 RETURNING seq`, Args: []any{commune1}, Dest: []any{seq}}
	}
	// write takes the next number and stores a note with it, or fails as fail says.
	write := func(fail string) (int, error) {
		var seq int
		err := store.PipelineTx(ctx, db, []store.Stmt{take(&seq)}, func() ([]store.Stmt, error) {
			if fail == "build" {
				return nil, errors.New("the caller gave up")
			}
			n := note{Body: fmt.Sprintf("số %d", seq)}
			ins, err := store.CreateStmt(db.Scopes(store.ForWrite(scope)), &n)
			if err != nil {
				return nil, err
			}
			stmts := []store.Stmt{ins}
			if fail == "statement" {
				stmts = append(stmts, store.Stmt{SQL: "INSERT INTO notes (id, tenant_id, body) VALUES ($1, $2, $3)", Args: []any{-1, commune1, "a"}},
					store.Stmt{SQL: "INSERT INTO notes (id, tenant_id, body) VALUES ($1, $2, $3)", Args: []any{-1, commune1, "b"}})
			}
			return stmts, nil
		})
		return seq, err
	}

	if seq, err := write(""); err != nil || seq != 1 {
		t.Fatalf("first write: seq %d, %v", seq, err)
	}
	if _, err := write("build"); err == nil || err.Error() != "the caller gave up" {
		t.Fatalf("a failing second step: %v", err)
	}
	_, err := write("statement")
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "23505" {
		t.Fatalf("a duplicate key in the second batch: %v, want a unique violation", err)
	}
	// Both failures were rolled back, number included: the next write gets 2, and only the
	// two good notes exist, stamped with the tenant by the guard.
	if seq, err := write(""); err != nil || seq != 2 {
		t.Fatalf("after two rollbacks: seq %d, %v; want 2", seq, err)
	}
	var notes []note
	if err := db.Scopes(store.ForRead(scope)).Order("id").Find(&notes).Error; err != nil {
		t.Fatal(err)
	}
	if len(notes) != 2 || notes[0].TenantID != commune1 || notes[1].Body != "số 2" {
		t.Fatalf("notes = %+v", notes)
	}

	// A statement for another tenant's row is refused by the guard before anything is sent.
	other := note{TenantModel: store.TenantModel{TenantID: commune2}, Body: "x"}
	if _, err := store.CreateStmt(db.Scopes(store.ForWrite(scope)), &other); err == nil {
		t.Fatal("CreateStmt built an insert of another tenant's row")
	}
}

func TestPipelineTxNeedsPostgres(t *testing.T) {
	t.Parallel()
	db := storetest.SQLite(t)
	err := store.PipelineTx(context.Background(), db, nil, func() ([]store.Stmt, error) { return nil, nil })
	if err == nil {
		t.Fatal("PipelineTx ran on SQLite")
	}
}
