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
func PipelineTx(ctx context.Context, db *gorm.DB, first []Stmt, second func() ([]Stmt, error)) error {
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
