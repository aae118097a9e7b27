// Package i18n holds the reporting pages' messages, one file per language (vi.go, en.go), by
// message id. Templates read them with {{t "id"}}, handlers with web.Translator.T; the shell's own
// words are libs/web's. The exported tables (CSV, XLSX) keep their Vietnamese headings: they are
// the unit's official figures, filed as they are.
package i18n

import (
	"maps"

	"egov.vn/platform/libs/web"
	"egov.vn/platform/services/reporting/internal/app"
	"egov.vn/platform/services/reporting/internal/domain"
	"egov.vn/platform/services/reporting/internal/ports/export"
)

// Catalogue is the reporting pages' messages in every language. The Vietnamese names of
// indicators (with their formulas), figures, tables, channels, states and ratings are the
// domain's and the exports', the words of the official tables; English has its own.
func Catalogue() web.Catalogue {
	v := maps.Clone(vi)
	for _, d := range domain.Catalogue() {
		v["indicator."+d.Code] = d.Name
		v["indicator."+d.Code+".formula"] = d.Formula
	}
	for _, f := range app.Figures {
		v["figure."+f.Code] = f.Name
	}
	for _, t := range export.ExportTables {
		v["table."+t.Code] = t.Name
	}
	for _, c := range []string{"desk", "online", "post"} {
		v["channel."+c] = export.ChannelName(c)
	}
	for _, s := range []string{"received", "refused", "assigned", "in_process", "supplement_requested", "stopped", "withdrawn",
		"approved", "result_ready", "returned", "transferred"} {
		v["state."+s] = export.StateName(s)
	}
	for _, r := range []string{domain.RatingVerySatisfied, domain.RatingSatisfied, domain.RatingNotSatisfied} {
		v["rating."+r] = export.RatingName(r)
	}
	return web.Catalogue{web.LangVI: v, web.LangEN: en}
}
