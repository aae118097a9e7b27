// Package app holds the dossiers service's use cases: provisioning a tenant with the shipped
// catalogue and calendar, editing both, intake with receipt codes and appointments, every
// lifecycle action with optimistic locking and outbox events, inboxes and the ledger, the
// overdue job, document files, and the citizen's lookup and rating.
package app
