package domain

import "time"

// StaffFilter narrows a staff list: the people whose assignment on day On is in one of UnitIDs
// (any unit when empty), of Category (any when empty), whose name contains Query.
type StaffFilter struct {
	Tenant   string
	UnitIDs  []string
	Category Category
	Query    string
	On       time.Time
	Limit    int
	Offset   int
}

// Listing is a person with the assignment that held on the day asked for.
type Listing struct {
	Staff      Staff
	Assignment Assignment
}

// Movements counts what happened to staff in a period.
type Movements struct {
	Hired, Moved, Left int
}

// RawStatistics is what the repository counts for Statistics: people active on a day by
// category, and per graded kind the number of people whose best level has each rank.
type RawStatistics struct {
	ByCategory map[Category]int
	BestRanks  map[Kind]map[int]int
	Trainings  int
}

// Hire is one person with their first assignment, as an import creates them.
type Hire struct {
	Staff      Staff
	Assignment Assignment
}
