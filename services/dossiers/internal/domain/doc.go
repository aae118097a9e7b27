// Package domain owns the one-stop shop's rules, free of HTTP and storage: the procedure
// catalogue (legal processing time, fee, required documents, ordered steps), the working-day
// calendar with Vietnam's solar and lunar public holidays and its due-date arithmetic, the
// dossier's lifecycle as a state machine whose every transition is role-checked and recorded,
// receipt codes, and the checks on citizens' identity numbers (CCCD) and tax codes.
package domain
