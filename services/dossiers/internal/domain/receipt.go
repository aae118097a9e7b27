package domain

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
)

// DefaultReceiptPattern is <unit code>-<yymmdd>-<seq>, e.g. UBXDT-261127-0001.
const DefaultReceiptPattern = "{unit}-{yymmdd}-{seq4}"

var receiptToken = regexp.MustCompile(`\{[a-z0-9]+\}`)

var receiptTokens = map[string]bool{"{unit}": true, "{yymmdd}": true, "{yyyy}": true, "{yy}": true,
	"{mm}": true, "{dd}": true, "{seq}": true, "{seq3}": true, "{seq4}": true, "{seq5}": true, "{seq6}": true}

// ReceiptPattern renders receipt codes (mã hồ sơ). It must hold a {seq…} token and, because the
// sequence restarts every day, the day ({yymmdd}, or {dd} with {mm} and {yy}/{yyyy}) so that
// codes stay unique.
type ReceiptPattern string

// Validate checks the tokens.
func (p ReceiptPattern) Validate() error {
	s := string(p)
	hasSeq := false
	for _, tok := range receiptToken.FindAllString(s, -1) {
		if !receiptTokens[tok] {
			return fmt.Errorf("unknown token %s; use {unit}, {yymmdd}, {yyyy}, {yy}, {mm}, {dd}, {seq}, {seq3}…{seq6}", tok)
		}
		// A whole token: "{seq" without its brace renders as itself, the same code for every dossier.
		hasSeq = hasSeq || strings.HasPrefix(tok, "{seq")
	}
	hasDay := strings.Contains(s, "{yymmdd}") ||
		(strings.Contains(s, "{dd}") && strings.Contains(s, "{mm}") && (strings.Contains(s, "{yy}") || strings.Contains(s, "{yyyy}")))
	if !hasSeq || !hasDay || !strings.Contains(s, "{unit}") {
		return fmt.Errorf("the pattern must contain {unit}, the day ({yymmdd}) and a {seq} token")
	}
	if len(s) > 64 {
		return fmt.Errorf("the pattern is longer than 64 characters")
	}
	return nil
}

// Render returns the receipt code of the seq-th dossier of unit on day.
func (p ReceiptPattern) Render(unit string, day Date, seq int) string {
	if p == "" {
		p = DefaultReceiptPattern
	}
	yyyy := fmt.Sprintf("%04d", day.Year)
	return strings.NewReplacer(
		"{unit}", unit,
		"{yymmdd}", fmt.Sprintf("%s%02d%02d", yyyy[2:], int(day.Month), day.Day),
		"{yyyy}", yyyy, "{yy}", yyyy[2:],
		"{mm}", fmt.Sprintf("%02d", int(day.Month)), "{dd}", fmt.Sprintf("%02d", day.Day),
		"{seq}", fmt.Sprint(seq), "{seq3}", fmt.Sprintf("%03d", seq), "{seq4}", fmt.Sprintf("%04d", seq),
		"{seq5}", fmt.Sprintf("%05d", seq), "{seq6}", fmt.Sprintf("%06d", seq),
	).Replace(string(p))
}

// DefaultUnitCode derives a receipt unit code from a tenant slug: "UB" and the initials of its
// words, so xa-dong-tan gives UBXDT (Ủy ban xã Đông Tân).
func DefaultUnitCode(slug string) string {
	var b strings.Builder
	b.WriteString("UB")
	for part := range strings.SplitSeq(slug, "-") {
		if part != "" {
			b.WriteRune(unicode.ToUpper(rune(part[0])))
		}
	}
	return b.String()
}
