package domain

import "time"

// Statistics describes the staff of a tenant, or of one unit with its subunits, on a day.
type Statistics struct {
	Tenant    string
	UnitID    string // "" for the whole tenant
	On        time.Time
	Headcount int
	// ByCategory counts staff by category; every category is present, zero or not.
	ByCategory map[Category]int
	// Levels holds, per graded kind, the share of staff at or above each rank.
	Levels []KindShares
	// Trainings counts trainings finished in the 12 months up to On.
	Trainings int
}

// KindShares is one graded kind's "at or above" shares.
type KindShares struct {
	Kind   Kind
	Shares []Share
}

// Share is the number and percentage of staff whose best level of a kind ranks at or above
// Threshold.
type Share struct {
	Threshold
	Count   int
	Percent float64
}

// PeriodChange is the statistics at the start and end of a period and what changed between them.
type PeriodChange struct {
	From, To  Statistics
	Hired     int // assignments that began as hires in (From, To]
	Left      int // people who left in (From, To]
	Moved     int // transfers and promotions in (From, To]
	Headcount int // To.Headcount − From.Headcount
}

// AtOrAbove turns per-rank counts of people's best level into "at or above" shares over
// headcount, one per threshold.
func AtOrAbove(thresholds []Threshold, bestRank map[int]int, headcount int) []Share {
	out := make([]Share, len(thresholds))
	for i, t := range thresholds {
		n := 0
		for rank, count := range bestRank {
			if rank >= t.Rank {
				n += count
			}
		}
		out[i] = Share{Threshold: t, Count: n}
		if headcount > 0 {
			out[i].Percent = float64(n) * 100 / float64(headcount)
		}
	}
	return out
}
