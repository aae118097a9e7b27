-- Each refresh token remembers the id (jti) of the access token issued with it, so that revoking
-- a refresh-token family (reuse, revocation, sign-out of a client) makes those access tokens
-- inactive at introspection too, and so at every service (issue 18, finding 5). Rows issued
-- before have none: their access tokens expire within the access-token lifetime.
-- +goose Up
ALTER TABLE "refresh_tokens" ADD COLUMN IF NOT EXISTS "access_token_id" varchar(36);
CREATE INDEX IF NOT EXISTS "idx_refresh_tokens_access_token_id" ON "refresh_tokens" ("access_token_id");

-- +goose Down
DROP INDEX IF EXISTS "idx_refresh_tokens_access_token_id";
ALTER TABLE "refresh_tokens" DROP COLUMN IF EXISTS "access_token_id";
