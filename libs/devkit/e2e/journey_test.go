//go:build e2e

package e2e_test

import (
	"testing"

	"egov.vn/platform/libs/devkit/e2e"
)

// TestE2EJourney runs the journey of a citizen's dossier across the real services of `make run`,
// in Chromium, on each database: the desk of xa-dong-tan receives a dossier from the onboarded
// catalogue and prints its receipt, assigns it to a named handler, who does every step; the
// leader finds it waiting, sends it back once with a note, the handler redoes the step, the
// leader approves, attaches the result document and marks the result ready, the desk returns it,
// the citizen looks it up and rates; every demo person of the commune reaches the start page of
// each of their roles; one sign-out ends the session in every service. Then liên thông: a
// district-level dossier received at the commune goes up to the district, is handled and
// approved there by its own handler and leader, and comes back to the commune's desk, which
// returns it. Screenshots go to the test artifacts.
func TestE2EJourney(t *testing.T) {
	for _, db := range e2e.DBs {
		t.Run(string(db), func(t *testing.T) {
			s := e2e.Start(t, db)
			e2e.Journey(t, s.Site())
		})
	}
}

const commune = e2e.Commune
