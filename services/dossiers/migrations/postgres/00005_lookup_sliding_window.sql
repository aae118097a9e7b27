-- Citizen lookup (issue 18, finding 8): a sliding window instead of fixed 10-minute buckets, so
-- that no burst fits around a bucket's edge and Retry-After is the real time left. Each attempt
-- is one row, of a client address or of a receipt code; the old counters are only a rate limit's
-- memory and are dropped.
-- +goose Up
DROP TABLE IF EXISTS "lookup_attempts";
CREATE TABLE IF NOT EXISTS "lookup_hits" (
	"id" bigserial,
	"subject" varchar(100) NOT NULL,
	"at" timestamptz NOT NULL,
	PRIMARY KEY ("id")
);
CREATE INDEX IF NOT EXISTS "idx_lookup_hits_subject_at" ON "lookup_hits" ("subject","at");

-- +goose Down
DROP TABLE IF EXISTS "lookup_hits";
CREATE TABLE IF NOT EXISTS "lookup_attempts" (
	"client_key" varchar(100),
	"window_start" timestamptz,
	"attempts" bigint NOT NULL,
	PRIMARY KEY ("client_key","window_start")
);
