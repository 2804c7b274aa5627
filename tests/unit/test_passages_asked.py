"""The passage quoted holds what was asked, however the resident asked it: a name ("tên là gì"),
an amount per a unit said in everyday words ("mỗi nhà", "một mét"), a status typed with a
sound-alike consonant ("làm song chưa"), the document itself ("thủ tục xin giấy phép")."""

from __future__ import annotations

from tests.unit.test_passages import entry, rank

MERGER = entry(
    "merger",
    "Đề án sáp nhập thôn Bãi Sậy và thôn Gò Me thành thôn Sậy Me (lấy ý kiến cử tri)",
    "Thực hiện chủ trương sắp xếp thôn chưa đạt tiêu chuẩn quy mô, UBND xã xây dựng đề án sáp nhập:\n\n"
    "| Thôn | Số hộ | Nhân khẩu |\n| --- | ---: | ---: |\n"
    "| Bãi Sậy | 212 | 830 |\n| Gò Me | 198 | 764 |\n"
    "| **Thôn Sậy Me (sau sáp nhập)** | **410** | **1.594** |\n\n"
    "- Trụ sở, nhà văn hóa thôn mới: nhà văn hóa thôn Bãi Sậy; nhà văn hóa Gò Me làm điểm sinh hoạt.\n"
    "- Chi bộ, trưởng thôn: hợp nhất, bầu trưởng thôn mới trong 6 tháng; lễ hội của từng làng giữ nguyên.\n\n"
    "Lấy ý kiến cử tri đại diện hộ gia đình bằng phiếu từ 01/12 đến 10/12/2026.",
)


def test_a_name_asked_as_ten_la_gi_is_quoted_from_where_the_new_name_is() -> None:
    # "thôn mới" matches the block about the new village's office, which names only the old ones
    passage = rank("sáp nhập thôn Bãi Sậy và Gò Me, thôn mới tên là gì", MERGER)
    assert "Sậy Me" in passage
    passage = rank("hai làng sắp gộp làm một à, tên mới gọi là gì", MERGER)
    assert "Sậy Me" in passage


def test_a_name_asked_as_goi_la_gi_is_quoted_from_where_the_name_is_given() -> None:
    # the new name is given in prose ("tên dự kiến là thôn Đồng Tâm") in a long block; the block of
    # the vote holds the date also asked and the old names only, and the two do not fit together
    merger = entry(
        "merger2",
        "Lấy ý kiến cử tri về Đề án sáp nhập thôn Đồng Lạc và thôn Tâm Thái",
        "**1. Hiện trạng:** hai thôn có 162 và 137 hộ, dưới 50% tiêu chuẩn thôn ở xã đồng bằng.\n\n"
        "**2. Phương án sáp nhập**\n"
        "- Thôn mới có tên dự kiến là **thôn Đồng Tâm**, gồm 299 hộ, 1.104 nhân khẩu, diện tích 142 ha.\n"
        "- Nhà văn hóa thôn Đồng Lạc làm trụ sở chung; nhà văn hóa Tâm Thái giữ lại làm điểm sinh hoạt.\n"
        "- Giữ nguyên tên các xóm, dòng họ, di tích đình, chùa và lễ hội truyền thống của mỗi làng.\n"
        "- Sau sáp nhập bầu lại trưởng thôn; trong thời gian chưa bầu, UBND xã chỉ định trưởng thôn.\n"
        "- Tài sản, quỹ của hai thôn được kiểm kê, bàn giao công khai trước hội nghị thôn.\n"
        "- Chi bộ, chi hội đoàn thể của hai thôn hợp nhất theo hướng dẫn của cấp trên.\n\n"
        "**3. Lấy ý kiến cử tri:** tổ chức hội nghị cử tri đại diện hộ gia đình của hai thôn ngày "
        "18/10/2026 tại nhà văn hóa thôn Đồng Lạc, biểu quyết bằng phiếu. Đề án được thông qua khi có "
        "trên 50% cử tri đại diện hộ gia đình của mỗi thôn đồng ý. Kết quả trình HĐND xã xem xét.",
    )
    passage = rank(
        "Nghe bảo hai làng Đồng Lạc với Tâm Thái sắp gộp lại, làng mới gọi là gì, bao giờ hỏi dân", merger
    )
    assert "Đồng Tâm" in passage


def test_a_date_asked_as_ngay_may_is_quoted_from_where_the_date_is() -> None:
    # "ngày mấy" asks a date ("mấy ngày" a duration): the block written first holds counts
    survey = entry(
        "survey",
        "Thông báo rà soát hộ nghèo, hộ cận nghèo cuối năm 2026",
        "Mỗi thôn lập 1 tổ rà soát 3 người, đi từng hộ trong 10 ngày, chấm điểm theo 12 chỉ số.\n\n"
        "Hộ có ý kiến về kết quả gửi đơn về UBND xã trước ngày 25/11/2026.",
    )
    passage = rank("rà soát hộ nghèo hạn tới ngày mấy", survey)
    assert "25/11/2026" in passage


def test_an_amount_asked_for_each_house_is_quoted_from_where_it_is_written_per_household() -> None:
    # "mỗi nhà" keeps no unit in the question's terms ("mỗi", "nhà" carry no topic); the table of
    # funding sources shares "xi măng" and holds amounts, but totals
    lane = entry(
        "lane",
        "Kế hoạch huy động Nhân dân đóng góp bê tông hóa đường ngõ xóm thôn Trại Mới năm 2026",
        "Hội nghị thôn Trại Mới ngày 15/3/2026 đã thống nhất bê tông hóa 2,4 km đường ngõ xóm, rộng 3 m.\n\n"
        "| Nguồn kinh phí | Số tiền |\n| --- | ---: |\n"
        "| Ngân sách xã hỗ trợ xi măng, cát, đá (50%) | 980.000.000 đồng |\n"
        "| Nhân dân đóng góp (50%) | 980.000.000 đồng |\n| Tổng | 1.960.000.000 đồng |\n\n"
        "**Mức đóng góp:** 3.500.000 đồng/hộ, nộp làm 2 đợt (đợt 1 trước 30/4/2026, đợt 2 trước "
        "31/8/2026). Hộ nghèo được miễn; hộ cận nghèo đóng 50%.",
    )
    passage = rank("lối đi trong làng tôi đổ xi măng thì mỗi nhà phải bỏ ra mấy tiền", lane)
    assert "3.500.000 đồng/hộ" in passage


def test_an_amount_asked_for_one_metre_is_quoted_from_the_prices_per_square_metre() -> None:
    # the opening names the field asked about and the total; the price per m² is in the table
    land = entry(
        "land",
        "Công khai phương án bồi thường, hỗ trợ khi Nhà nước thu hồi đất dự án cụm công nghiệp Đồng Bông",
        "Phương án bồi thường đợt 1 áp dụng cho 94 hộ có đất nông nghiệp tại xứ đồng Gò Vạc, Đồng Chuôm "
        "(thôn Tây), diện tích 6,2 ha. Tổng kinh phí đợt 1: 41,3 tỷ đồng.\n\n"
        "| Khoản bồi thường, hỗ trợ | Đơn giá |\n| --- | --- |\n"
        "| Bồi thường đất trồng lúa | 148.000 đồng/m² |\n"
        "| Bồi thường cây trồng vụ lúa | 9.200 đồng/m² |\n"
        "| Hỗ trợ chuyển đổi nghề | 3 lần giá đất nông nghiệp = 444.000 đồng/m² |\n\n"
        "Thời gian chi trả dự kiến tháng 11/2026 tại nhà văn hóa thôn Tây.",
    )
    passage = rank("ruộng nhà tôi ở xứ Gò Vạc bị lấy làm xưởng thì được đền mấy tiền một mét", land)
    assert "148.000 đồng/m²" in passage


def test_xong_chua_typed_song_chua_asks_whether_the_works_are_done() -> None:
    # "song" is a rare word of the document ("song chắn rác"): it is "xong" mistyped, not the topic
    sewer = entry(
        "sewer",
        "Công khai công trình cải tạo hệ thống cống, rãnh thoát nước thôn Đình Bảng",
        "Công trình cải tạo 1.250 m cống, rãnh thoát nước các xóm thôn Đình Bảng, khắc phục ngập úng.\n\n"
        "- Tổng dự toán: 3.150 triệu đồng.\n"
        "- Thời gian: 10/6/2026 – 10/10/2026. Công trình đã nghiệm thu, bàn giao ngày 18/10/2026.\n\n"
        "Các cơ sở sản xuất phải lắp hố lắng, song chắn rác trước khi đấu nối vào cống chung.",
    )
    passage = rank("cống thoát nuớc thôn đình bảng làm song chưa", sewer)
    assert "18/10/2026" in passage


def test_a_question_that_is_the_title_with_a_word_more_gets_the_opening() -> None:
    # "xin giấy" adds only "xin" to the title's "giấy phép": the resident asks for the procedure,
    # not for the one sentence saying who must "xin giấy phép"
    permit = entry(
        "permit",
        "Thủ tục cấp giấy phép xây dựng nhà ở riêng lẻ",
        "Từ 01/7/2025 UBND xã cấp giấy phép xây dựng nhà ở riêng lẻ; nhà ở trong khu đấu giá Đồng Cửa "
        "phải xin giấy phép.\n\n"
        "**Hồ sơ:** đơn đề nghị; bản sao giấy chứng nhận quyền sử dụng đất; 02 bộ bản vẽ thiết kế.\n\n"
        "**Thời hạn:** 15 ngày kể từ ngày nhận đủ hồ sơ. **Lệ phí:** 75.000 đồng/giấy phép.",
    )
    passage = rank("thu tuc xin giay phep xay dung nha o", permit)
    assert "15 ngày" in passage and "**Hồ sơ:**" in passage


def test_a_section_named_by_its_heading_is_shown_past_its_lead_in() -> None:
    # the question is the title; the heading naming it is followed by a line ending with a colon
    # that leads into the table of targets: the heading alone says nothing
    plan = entry(
        "plan",
        "Nghị quyết về kế hoạch phát triển kinh tế – xã hội năm 2026 của xã",
        "Căn cứ Luật Tổ chức chính quyền địa phương, HĐND xã khóa I, kỳ họp thứ ba đã quyết nghị.\n\n"
        "## 1. Đánh giá khái quát năm 2025\n\n"
        "Sản lượng lương thực đạt 5.310 tấn; trồng mới 92 ha rừng.\n\n"
        "## 2. Các chỉ tiêu chủ yếu năm 2026\n\n"
        "HĐND xã quyết nghị các chỉ tiêu chủ yếu:\n\n"
        "| Chỉ tiêu | Kế hoạch 2026 |\n|---|---|\n"
        "| Tổng sản lượng lương thực có hạt | 5.450 tấn |\n| Trồng rừng mới | 85 ha |\n\n"
        "## 3. Nhiệm vụ, giải pháp\n\n"
        "Giữ ổn định diện tích ruộng bậc thang; xóa nhà tạm cho hộ nghèo.",
    )
    passage = rank("ke hoach phat trien kinh te xa hoi nam 2026", plan)
    assert "5.450 tấn" in passage
