package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"
)

// Stmt is one SQL statement with its arguments. Dest, if set, receives the columns of the one
// row it returns.
type Stmt struct {
	SQL  string
	Args []any
	Dest []any
}

// CreateStmt is the INSERT that db.Create(value) would run, built by gorm without running it, so
// that the scopes and callbacks on db (the tenant guard stamping TenantID, defaults) apply as
// they do to a real Create. (Without SkipDefaultTransaction, gorm would open and commit a real
// transaction on another connection around the dry run.)
func CreateStmt(db *gorm.DB, value any) (Stmt, error) {
	stmt := db.Session(&gorm.Session{DryRun: true, SkipDefaultTransaction: true}).Create(value)
	if stmt.Error != nil {
		return Stmt{}, stmt.Error
	}
	return Stmt{SQL: stmt.Statement.SQL.String(), Args: stmt.Statement.Vars}, nil
}

// PipelineTx runs a short write transaction on PostgreSQL in two round trips, however many
// statements it holds: BEGIN and first, then the statements second returns (built from what first
// read) and COMMIT, each group sent as one pipeline. A transaction of one round trip per
// statement spends most of its time, and most of both sides' CPU, waiting on the network and
// switching processes; under concurrent load that bounds throughput. If anything fails the
// transaction is rolled back and nothing is written. For PostgreSQL (pgx) only: callers check
// Dialect and use a gorm transaction elsewhere.
//
// A TxHook in ctx joins the second group as its PipelineStmt (it must be a PipelineTxHook) and
// hears of the commit, as in Transact.
func PipelineTx(ctx context.Context, db *gorm.DB, first []Stmt, second func() ([]Stmt, error)) error {
	var hook PipelineTxHook
	if h, ok := ctx.Value(hookKey{}).(TxHook); ok {
		if hook, ok = h.(PipelineTxHook); !ok {
			return fmt.Errorf("store: PipelineTx cannot run the transaction hook %T (not a PipelineTxHook)", h)
		}
	}
	err := pipelineTx(ctx, db, first, func() ([]Stmt, error) {
		stmts, err := second()
		if err != nil || hook == nil {
			return stmts, err
		}
		st, err := hook.PipelineStmt(ctx)
		return append(stmts, st), err
	})
	switch {
	case hook == nil:
	case err == nil:
		hook.Committed(ctx)
	default:
		err = hook.PipelineFailed(err)
	}
	return err
}

// PipelineTxHook is a TxHook whose work is one statement, so that PipelineTx can send it with the
// others.
type PipelineTxHook interface {
	TxHook
	// PipelineStmt is the hook's work; it must fail, not do nothing, where InTx would refuse.
	PipelineStmt(ctx context.Context) (Stmt, error)
	// PipelineFailed is told the transaction's error and returns the one PipelineTx returns (its
	// own refusal when its statement failed).
	PipelineFailed(err error) error
}

func pipelineTx(ctx context.Context, db *gorm.DB, first []Stmt, second func() ([]Stmt, error)) error {
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close() }() // back to the pool; Raw has already reported any error
	return conn.Raw(func(driverConn any) error {
		sc, ok := driverConn.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("store: PipelineTx needs PostgreSQL through pgx, not %T", driverConn)
		}
		c := sc.Conn()
		if err := sendBatch(ctx, c, append([]Stmt{{SQL: "BEGIN"}}, first...)); err != nil {
			return abort(c, err)
		}
		stmts, err := second()
		if err != nil {
			return abort(c, err)
		}
		if err := sendBatch(ctx, c, append(stmts, Stmt{SQL: "COMMIT"})); err != nil {
			return abort(c, err)
		}
		return nil
	})
}

func sendBatch(ctx context.Context, c *pgx.Conn, stmts []Stmt) error {
	b := &pgx.Batch{}
	for _, s := range stmts {
		q := b.Queue(s.SQL, s.Args...)
		if s.Dest != nil {
			dest := s.Dest
			q.QueryRow(func(row pgx.Row) error { return row.Scan(dest...) })
		}
	}
	return c.SendBatch(ctx, b).Close()
}

// abort rolls back after err. A connection that cannot roll back is closed, so the pool drops it
// rather than hand out a connection inside a transaction (pgx's ResetSession would refuse it too).
func abort(c *pgx.Conn, err error) error {
	if c.PgConn().TxStatus() == 'I' {
		return err
	}
	// The caller's ctx may be what failed; the rollback gets its own few seconds.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, rbErr := c.Exec(ctx, "ROLLBACK"); rbErr != nil {
		_ = c.Close(ctx)
		return errors.Join(err, fmt.Errorf("store: rollback: %w", rbErr))
	}
	return err
}
