package i18n

import "egov.vn/platform/libs/web"

// vi is the reporting pages in Vietnamese, the platform's language. The names of indicators,
// figures, tables, channels, states and ratings are added from the domain and the exports
// (Catalogue).
var vi = web.Messages{
	"service":            "Báo cáo",
	"fail.invalid.title": "Yêu cầu không hợp lệ",
	"fail.invalid":       "%s — kỳ báo cáo có dạng 2026 (năm), 2026-Q4 (quý) hoặc 2026-11 (tháng).",

	"period":         "Kỳ báo cáo",
	"period.year":    "Năm %d",
	"period.quarter": "Quý %d/%d",
	"period.month":   "Tháng %d/%d",
	"show":           "Xem",

	"value.days":      "%s ngày",
	"value.points":    "%s điểm",
	"target.above":    "trên",
	"target.at_most":  "không quá",
	"target.at_least": "từ",

	"back_to_dashboard": "Về trang tổng hợp",
	"col.unit":          "Đơn vị",
	"col.received":      "Tiếp nhận",
	"col.resolved":      "Đã giải quyết",
	"col.on_time":       "Đúng hạn",
	"col.satisfied":     "Hài lòng",
	"col.index":         "Chỉ số 766 đo được",
	"col.index_short":   "Chỉ số 766",

	// Dashboard.
	"dash.title":       "Báo cáo chỉ tiêu cải cách hành chính",
	"dash.baseline":    "kỳ gốc so sánh thời gian: %s",
	"dash.as_of":       "Kỳ báo cáo chưa kết thúc: hồ sơ đang giải quyết và quá hạn tính đến %s.",
	"dash.indicators":  "Chỉ tiêu so với mục tiêu",
	"dash.indicator":   "Chỉ tiêu",
	"dash.value":       "Giá trị",
	"dash.target":      "Mục tiêu",
	"dash.assessment":  "Đánh giá",
	"dash.met":         "Đạt",
	"dash.not_met":     "Chưa đạt",
	"dash.trend":       "Xu hướng 12 tháng",
	"dash.trend.chart": "Biểu đồ xu hướng các tỷ lệ theo tháng",
	"dash.figures":     "Hồ sơ trong kỳ",
	"dash.figure":      "Số liệu",
	"dash.count":       "Số hồ sơ",
	"dash.children":    "Các đơn vị trực thuộc",
	"dash.see_ranking": "Xem bảng xếp hạng",
	"dash.units.chart": "Biểu đồ tỷ lệ đúng hạn và hài lòng của các đơn vị trực thuộc",
	"dash.downloads":   "Tải bảng số liệu",

	// Ranking.
	"rank.title":     "Xếp hạng các đơn vị trực thuộc",
	"rank.by":        "theo %s",
	"rank.indicator": "Xếp theo chỉ tiêu",
	"rank.submit":    "Xếp hạng",
	"rank.rank":      "Hạng",
	"rank.none":      "Đơn vị này không có đơn vị trực thuộc.",
	"rank.download":  "Tải bảng:",

	// The dossiers behind a figure.
	"list.title":     "Hồ sơ: %s",
	"list.total":     "%s hồ sơ",
	"list.code":      "Mã hồ sơ",
	"list.procedure": "Thủ tục",
	"list.channel":   "Kênh",
	"list.state":     "Trạng thái",
	"list.due":       "Hẹn trả",
	"list.resolved":  "Có kết quả",
	"list.rating":    "Đánh giá",
	"list.late":      "Quá hạn",
	"list.none":      "Không có hồ sơ nào.",
	"list.prev":      "Trang trước",
	"list.next":      "Trang sau",
	"list.download":  "Tải danh sách (tối đa 500 hồ sơ mỗi lần):",
}
