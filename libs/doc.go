// Package libs holds the platform's shared, traced building blocks. It carries no business rules:
// each sub-package owns one concern (telemetry, HTTP edge, storage, events, config, page shell)
// so that services never copy that plumbing.
package libs
