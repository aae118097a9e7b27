// Package devkit is the platform's dev-only tooling, kept out of the production libs module so
// that no service binary carries it: the `make run` supervisor and gateway (devstack,
// cmd/egov-dev) and the browser driver of the tests (browser). Nothing here is imported by
// non-test code of a service.
package devkit
