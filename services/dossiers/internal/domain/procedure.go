package domain

import (
	"fmt"
	"regexp"
	"strings"

	"egov.vn/platform/libs/apperr"
)

// Level is the tier of government that decides a procedure.
type Level string

// The levels of the catalogue.
const (
	LevelCommune  Level = "commune"
	LevelDistrict Level = "district"
	LevelProvince Level = "province"
)

// TimeUnit is how a procedure's legal processing time is expressed.
type TimeUnit string

// Legal times are given in working days or working hours.
const (
	UnitDays  TimeUnit = "days"
	UnitHours TimeUnit = "hours"
)

// CopyKind says whether a document must be the original or a copy.
type CopyKind string

// Kinds of required documents.
const (
	Original CopyKind = "original"
	Copy     CopyKind = "copy"
)

// SupplementPolicy says what a request to supplement does to the processing clock.
type SupplementPolicy string

const (
	// SupplementRestarts: the clock starts again from zero once the applicant supplements
	// (the dossier was incomplete, so it counts as received anew).
	SupplementRestarts SupplementPolicy = "restart"
	// SupplementPauses: the clock stops while the applicant supplements and resumes after.
	SupplementPauses SupplementPolicy = "pause"
)

// RequiredDocument is one line of a procedure's checklist.
type RequiredDocument struct {
	Name  string   `json:"name"`
	Kind  CopyKind `json:"kind"`
	Count int      `json:"count"`
}

// Step is one ordered processing step; Share is its part of the legal time in percent.
type Step struct {
	Name  string `json:"name"`
	Share int    `json:"share"`
}

// Procedure is one administrative procedure (thủ tục hành chính) of a tenant's catalogue.
type Procedure struct {
	Code         string             `json:"code"`
	Name         string             `json:"name"`
	Field        string             `json:"field"`
	Level        Level              `json:"level"`
	LegalTime    int                `json:"legal_time"`
	TimeUnit     TimeUnit           `json:"time_unit"`
	Fee          int64              `json:"fee"`
	Documents    []RequiredDocument `json:"documents"`
	HandlingUnit string             `json:"handling_unit"`
	Steps        []Step             `json:"steps"`
	Supplement   SupplementPolicy   `json:"supplement"`
	LegalBasis   string             `json:"legal_basis"`
}

var procedureCodeRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// Validate reports every field that breaks a rule, named as in the API.
func (p Procedure) Validate() error {
	var errs apperr.FieldErrors
	if !procedureCodeRE.MatchString(p.Code) {
		errs.Add("code", "must be 1–64 letters, digits, '.', '_' or '-'")
	}
	if strings.TrimSpace(p.Name) == "" {
		errs.Add("name", "is required")
	}
	if strings.TrimSpace(p.Field) == "" {
		errs.Add("field", "is required")
	}
	switch p.Level {
	case LevelCommune, LevelDistrict, LevelProvince:
	default:
		errs.Add("level", "must be commune, district or province")
	}
	switch p.TimeUnit {
	case UnitDays, UnitHours:
	default:
		errs.Add("time_unit", "must be days or hours")
	}
	if p.LegalTime <= 0 || p.LegalTime > 365 {
		errs.Add("legal_time", "must be between 1 and 365")
	}
	if p.Fee < 0 {
		errs.Add("fee", "must not be negative")
	}
	for i, d := range p.Documents {
		if strings.TrimSpace(d.Name) == "" {
			errs.Add(fmt.Sprintf("documents[%d].name", i), "is required")
		}
		if d.Kind != Original && d.Kind != Copy {
			errs.Add(fmt.Sprintf("documents[%d].kind", i), "must be original or copy")
		}
		if d.Count < 1 || d.Count > 99 {
			errs.Add(fmt.Sprintf("documents[%d].count", i), "must be between 1 and 99")
		}
	}
	if len(p.Steps) == 0 {
		errs.Add("steps", "at least one processing step is required")
	}
	total := 0
	for i, s := range p.Steps {
		if strings.TrimSpace(s.Name) == "" {
			errs.Add(fmt.Sprintf("steps[%d].name", i), "is required")
		}
		if s.Share <= 0 {
			errs.Add(fmt.Sprintf("steps[%d].share", i), "must be a positive percentage")
		}
		total += s.Share
	}
	if len(p.Steps) > 0 && total != 100 {
		errs.Add("steps", fmt.Sprintf("the shares must add up to 100, not %d", total))
	}
	if p.Supplement != SupplementRestarts && p.Supplement != SupplementPauses {
		errs.Add("supplement", "must be restart or pause")
	}
	return errs.Err()
}

// LegalMinutes is the legal processing time in working minutes under hours.
func (p Procedure) LegalMinutes(h OfficeHours) int {
	if p.TimeUnit == UnitHours {
		return p.LegalTime * 60
	}
	return p.LegalTime * h.MinutesPerDay()
}

// StepMinutes splits legal minutes over the steps by their shares; the last step takes the
// rounding remainder so the parts add up exactly.
func (p Procedure) StepMinutes(legal int) []int {
	out := make([]int, len(p.Steps))
	used := 0
	for i, s := range p.Steps {
		if i == len(p.Steps)-1 {
			out[i] = legal - used
			break
		}
		out[i] = legal * s.Share / 100
		used += out[i]
	}
	return out
}
