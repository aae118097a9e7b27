package app

import "egov.vn/platform/services/dossiers/internal/domain"

// standardSteps is the usual path of a commune dossier: the specialist checks it, the leader
// signs, the desk records and returns the result.
var standardSteps = []domain.Step{{Name: "Thẩm định hồ sơ", Share: 60}, {Name: "Trình lãnh đạo ký", Share: 30}, {Name: "Vào sổ, chuyển trả kết quả", Share: 10}}

// ShippedCatalogue is the seed of common procedures every new tenant gets. Codes are those of
// the national public-service portal (Cơ sở dữ liệu quốc gia về thủ tục hành chính); each
// LegalBasis says where the time and fee come from. A time of "the same day" is recorded as
// 8 working hours: received before 15:00 it is due that day, later the next morning.
func ShippedCatalogue() []domain.Procedure {
	return []domain.Procedure{
		{
			Code: "1.001193", Name: "Đăng ký khai sinh", Field: "Hộ tịch", Level: domain.LevelCommune,
			LegalTime: 8, TimeUnit: domain.UnitHours, Fee: 0, HandlingUnit: "Công chức Tư pháp – Hộ tịch",
			Documents: []domain.RequiredDocument{
				{Name: "Tờ khai đăng ký khai sinh", Kind: domain.Original, Count: 1},
				{Name: "Giấy chứng sinh", Kind: domain.Original, Count: 1},
			},
			Steps: standardSteps, Supplement: domain.SupplementRestarts,
			LegalBasis: "Luật Hộ tịch 2014, Điều 16 (cấp ngay trong ngày); Nghị định 123/2015/NĐ-CP; miễn lệ phí đăng ký đúng hạn (Luật Hộ tịch, Điều 11)",
		},
		{
			Code: "1.000894", Name: "Đăng ký kết hôn", Field: "Hộ tịch", Level: domain.LevelCommune,
			LegalTime: 5, TimeUnit: domain.UnitDays, Fee: 0, HandlingUnit: "Công chức Tư pháp – Hộ tịch",
			Documents: []domain.RequiredDocument{
				{Name: "Tờ khai đăng ký kết hôn", Kind: domain.Original, Count: 1},
				{Name: "Giấy xác nhận tình trạng hôn nhân", Kind: domain.Original, Count: 1},
			},
			Steps: standardSteps, Supplement: domain.SupplementRestarts,
			LegalBasis: "Luật Hộ tịch 2014, Điều 18 (ngay khi nhận đủ giấy tờ; cần xác minh thì không quá 05 ngày làm việc); Nghị định 123/2015/NĐ-CP",
		},
		{
			Code: "1.000656", Name: "Đăng ký khai tử", Field: "Hộ tịch", Level: domain.LevelCommune,
			LegalTime: 3, TimeUnit: domain.UnitDays, Fee: 0, HandlingUnit: "Công chức Tư pháp – Hộ tịch",
			Documents: []domain.RequiredDocument{
				{Name: "Tờ khai đăng ký khai tử", Kind: domain.Original, Count: 1},
				{Name: "Giấy báo tử", Kind: domain.Original, Count: 1},
			},
			Steps: standardSteps, Supplement: domain.SupplementRestarts,
			LegalBasis: "Luật Hộ tịch 2014, Điều 34 (ngay trong ngày; cần xác minh thì không quá 03 ngày làm việc)",
		},
		{
			Code: "2.000815", Name: "Chứng thực bản sao từ bản chính", Field: "Chứng thực", Level: domain.LevelCommune,
			LegalTime: 8, TimeUnit: domain.UnitHours, Fee: 2000, HandlingUnit: "Công chức Tư pháp – Hộ tịch",
			Documents: []domain.RequiredDocument{
				{Name: "Bản chính giấy tờ", Kind: domain.Original, Count: 1},
				{Name: "Bản sao cần chứng thực", Kind: domain.Copy, Count: 1},
			},
			Steps: []domain.Step{{Name: "Đối chiếu bản chính", Share: 70}, {Name: "Ký chứng thực, đóng dấu", Share: 30}}, Supplement: domain.SupplementPauses,
			LegalBasis: "Nghị định 23/2015/NĐ-CP, Điều 7 (trong ngày, nhận sau 15 giờ thì trả ngày làm việc tiếp theo); phí 2.000 đ/trang theo Thông tư 226/2016/TT-BTC",
		},
		{
			Code: "2.000884", Name: "Chứng thực chữ ký trong giấy tờ, văn bản", Field: "Chứng thực", Level: domain.LevelCommune,
			LegalTime: 8, TimeUnit: domain.UnitHours, Fee: 10000, HandlingUnit: "Công chức Tư pháp – Hộ tịch",
			Documents: []domain.RequiredDocument{
				{Name: "Giấy tờ, văn bản cần chứng thực chữ ký", Kind: domain.Original, Count: 1},
			},
			Steps: []domain.Step{{Name: "Kiểm tra, ký trước mặt", Share: 70}, {Name: "Ký chứng thực, đóng dấu", Share: 30}}, Supplement: domain.SupplementPauses,
			LegalBasis: "Nghị định 23/2015/NĐ-CP, Điều 7 và Điều 24; phí 10.000 đ/trường hợp theo Thông tư 226/2016/TT-BTC",
		},
		{
			Code: "1.004194", Name: "Xác nhận thông tin về cư trú", Field: "Cư trú", Level: domain.LevelCommune,
			LegalTime: 3, TimeUnit: domain.UnitDays, Fee: 0, HandlingUnit: "Công an xã",
			Documents: []domain.RequiredDocument{
				{Name: "Tờ khai thay đổi thông tin cư trú (CT01)", Kind: domain.Original, Count: 1},
			},
			Steps: standardSteps, Supplement: domain.SupplementPauses,
			LegalBasis: "Luật Cư trú 2020; Nghị định 62/2021/NĐ-CP, Điều 17 (không quá 03 ngày làm việc; nửa ngày nếu thông tin đã có trong Cơ sở dữ liệu về cư trú)",
		},
		{
			Code: "1.000688", Name: "Đăng ký kết hôn có yếu tố nước ngoài", Field: "Hộ tịch", Level: domain.LevelDistrict,
			LegalTime: 15, TimeUnit: domain.UnitDays, Fee: 0, HandlingUnit: "Phòng Tư pháp",
			Documents: []domain.RequiredDocument{
				{Name: "Tờ khai đăng ký kết hôn", Kind: domain.Original, Count: 1},
				{Name: "Giấy tờ chứng minh tình trạng hôn nhân", Kind: domain.Original, Count: 1},
				{Name: "Giấy xác nhận của tổ chức y tế", Kind: domain.Original, Count: 1},
				{Name: "Hộ chiếu", Kind: domain.Copy, Count: 1},
			},
			Steps: standardSteps, Supplement: domain.SupplementRestarts,
			LegalBasis: "Luật Hộ tịch 2014, Điều 37–38 (15 ngày làm việc, cấp huyện); lệ phí theo nghị quyết của HĐND tỉnh (ghi 0 ở đây, sửa theo địa phương)",
		},
	}
}
