// Package devstack owns the local dev runner behind `make run`: it reads infra/dev/stack.yaml
// (one line per service), starts MinIO and NATS JetStream from ./bin, builds and supervises every
// service whose code exists, and serves the single origin (http://localhost:8080) whose reverse
// proxy routes path prefixes to services the way the Kubernetes ingress will. It also owns the
// dev-only secrets kept in ./var and the clean shutdown of every process it started. Nothing in
// it is used in production.
//
// A service is started from the repository root with these variables (NAME is its upper-cased
// name), plus any `env:` of its config line, matching libs/config.Common read with the prefix
// NAME_: NAME_HTTP_ADDR (127.0.0.1:port to listen on), NAME_PUBLIC_BASE_URL (origin + prefix; the
// service mounts its routes under that URL's path), NAME_DB_DSN (sqlite://var/<name>.db),
// NAME_NATS_URL, NAME_MINIO_ENDPOINT, NAME_MINIO_ACCESS_KEY, NAME_MINIO_SECRET_KEY and
// NAME_OIDC_ISSUER (origin + the identity prefix); the identity service also gets
// NAME_BOOTSTRAP_ADMIN_USERNAME and _PASSWORD.
package devstack
