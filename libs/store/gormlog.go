package store

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"gorm.io/gorm/logger"
)

// gormLogger routes gorm's messages to slog. Query errors are not logged here: they are returned
// to the caller and recorded on the query's span, and a repository may expect some (a unique
// violation becomes a conflict), so logging them would only be noise. Slow queries are logged
// with their SQL text but without parameters, which may carry personal data or secrets.
type gormLogger struct {
	log  *slog.Logger
	slow time.Duration
}

var _ logger.Interface = (*gormLogger)(nil)

func (l *gormLogger) LogMode(logger.LogLevel) logger.Interface { return l }

func (l *gormLogger) Info(ctx context.Context, msg string, args ...any) {
	l.log.InfoContext(ctx, fmt.Sprintf(msg, args...), "component", "gorm")
}

func (l *gormLogger) Warn(ctx context.Context, msg string, args ...any) {
	l.log.WarnContext(ctx, fmt.Sprintf(msg, args...), "component", "gorm")
}

func (l *gormLogger) Error(ctx context.Context, msg string, args ...any) {
	l.log.ErrorContext(ctx, fmt.Sprintf(msg, args...), "component", "gorm")
}

func (l *gormLogger) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), _ error) {
	if l.slow <= 0 {
		return
	}
	if elapsed := time.Since(begin); elapsed > l.slow {
		sql, rows := fc()
		l.log.WarnContext(ctx, "slow SQL query", "component", "gorm", "elapsed", elapsed, "sql", sql, "rows", rows)
	}
}

// ParamsFilter drops the parameters before gorm inlines them into the SQL text it hands to Trace.
func (l *gormLogger) ParamsFilter(_ context.Context, sql string, _ ...any) (string, []any) {
	return sql, nil
}
