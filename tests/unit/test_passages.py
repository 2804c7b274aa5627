"""The passage quoted holds what the resident asked: the amount, the date, the status, the total."""

from __future__ import annotations

from qa.entries import Entry
from qa.index import Index
from qa.passage_tables import PASSAGE_MAX


def entry(doc_id: str, title: str, body: str) -> Entry:
    fields = {"title": title, "tags": "", "source": "", "place": "", "body": body}
    return Entry("disclosure", doc_id, title, fields, "2026-01-01")


OTHERS = [
    entry(
        "budget",
        "Công khai dự toán ngân sách xã năm 2026",
        "Tổng thu ngân sách 18.750 triệu đồng.\n\nChi đầu tư phát triển 6.400 triệu đồng.",
    ),
    entry(
        "poor",
        "Danh sách hộ nghèo năm 2026",
        "Thôn Khe Mát có 3 hộ nghèo: ông Páo, bà Mai, ông Sình. Hội nghị thôn họp ngày 04/10.",
    ),
    entry(
        "vaccination",
        "Kế hoạch tiêm chủng mở rộng năm 2026",
        "Trẻ dưới 5 tuổi được tiêm vắc xin sởi tại trạm y tế xã ngày 25 hằng tháng.",
    ),
]

CONTRIBUTION = entry(
    "contribution",
    "Công khai mức đóng góp xây dựng đường nhánh 2 Thôn An Hội",
    "Hội nghị cử tri Thôn An Hội ngày 04/10/2026 đã biểu quyết thông qua chủ trương làm đường "
    "nhánh 2 (dài 620 m, mặt bê tông rộng 3 m): 214/236 hộ dự họp đồng ý.\n\n"
    "| Đối tượng | Mức đóng góp |\n|---|---|\n"
    "| Hộ có đất mặt tiền tuyến đường | 120.000 đồng/m mặt tiền |\n"
    "| Các hộ còn lại trong thôn | 1.200.000 đồng/hộ |\n"
    "| Hộ nghèo | Miễn |\n\n"
    "Người thu: thủ quỹ Ban phát triển thôn; mỗi khoản thu đều có biên lai.",
)


def rank(question: str, *documents: Entry) -> str:
    [hit, *_] = Index([*documents, *OTHERS]).rank(question)
    assert hit.id == documents[0].id
    assert len(hit.passage) <= PASSAGE_MAX
    return hit.passage


def test_an_amount_asked_is_quoted_from_where_the_amounts_are() -> None:
    # the meeting paragraph shares the question's words ("làm đường"), the table holds the amount
    passage = rank("muc dong gop lam duong nhanh 2 thon an hoi moi ho bao nhieu", CONTRIBUTION)
    assert "1.200.000 đồng/hộ" in passage


def test_a_fee_table_is_not_picked_by_the_word_tien_in_mat_tien() -> None:
    waste = entry(
        "waste",
        "Thông báo lịch thu gom rác thải sinh hoạt và giá dịch vụ thu gom",
        "**1. Lịch thu gom:** xe rác đi hằng ngày từ 5 giờ đến 8 giờ.\n\n"
        "| Đối tượng | Mức thu (đồng/tháng) |\n|---|---|\n"
        "| Hộ gia đình mặt tiền đường trung tâm xã | 25.000 |\n"
        "| Hộ gia đình các tuyến đường ấp | 20.000 |\n"
        "| Quán ăn, nhà hàng | 120.000 |\n\n"
        "Phản ánh việc xe rác không đến, liên hệ Hợp tác xã Dịch vụ Môi trường.",
    )
    passage = rank("Tiền xe rác mỗi tháng nhà tôi phải trả bao nhiêu?", waste)
    assert "25.000" in passage and "20.000" in passage


def test_marks_typed_tell_mat_tien_from_co_mat() -> None:
    civil = entry(
        "civil",
        "Thủ tục hộ tịch: khai sinh, kết hôn, khai tử",
        "| Thủ tục | Giấy tờ chính | Lệ phí |\n|---|---|---|\n"
        "| Đăng ký khai sinh | Tờ khai; giấy chứng sinh | Miễn (đăng ký đúng hạn) |\n"
        "| Đăng ký kết hôn | Tờ khai (hai bên cùng có mặt) | Miễn |\n"
        "| Đăng ký khai tử | Tờ khai; giấy báo tử | Miễn (trong hạn 15 ngày) |\n"
        "| Xác nhận tình trạng hôn nhân | Tờ khai | 15.000 đồng |\n\n"
        "## Lưu ý\n- Hồ sơ nộp sau 15 giờ thì trả kết quả trong ngày làm việc tiếp theo.\n"
        "- Cha, mẹ đăng ký khai sinh cho con trong 60 ngày kể từ ngày sinh.",
    )
    passage = rank("làm giấy khai sinh cho con có mất tiền không", civil)
    assert "Miễn (đăng ký đúng hạn)" in passage


def test_a_question_about_the_works_itself_gets_its_progress_section() -> None:
    works = entry(
        "works",
        "Công khai thông tin công trình đường bê tông bờ Bắc rạch Sậy (tiến độ đến 31/7/2026)",
        "UBND xã thông báo thông tin công trình như sau:\n\n**1. Thông tin chung**\n\n"
        "| Nội dung | Thông tin |\n|---|---|\n| Chiều dài tuyến | 2.350 m |\n"
        "| Nhà thầu thi công | Công ty TNHH Xây dựng Thành Phát |\n"
        "| Giá trị hợp đồng | 5.412.680.000 đồng |\n| Chủ đầu tư | UBND xã |\n"
        "| Tư vấn giám sát | Công ty Cổ phần Tư vấn Xây dựng Sen Hồng, giám sát thường xuyên tại hiện trường |\n"
        "| Quy mô | Mặt đường bê tông xi măng rộng 3,5 m, dày 18 cm; nền đường rộng 5,0 m; 03 cống hộp |\n\n"
        "**2. Tiến độ đến ngày 31/7/2026**\n\n"
        "- Đã đổ bê tông mặt đường 1.420 m/2.350 m (đạt 60,4%).\n- Đã thi công xong 02/03 cống hộp.\n\n"
        "**3. Giám sát cộng đồng:** Trưởng ban giám sát là ông Lê Văn Út.",
    )
    passage = rank("tien do cong trinh duong be tong bo bac rach say", works)
    assert "60,4%" in passage and "Lê Văn Út" not in passage


def test_done_yet_and_who_built_it_are_both_answered() -> None:
    dyke = entry(
        "dyke",
        "Công khai kết quả nghiệm thu công trình nâng cấp đê bao kênh Ông Đạo",
        "UBND xã thông báo công trình nâng cấp đê bao kênh Ông Đạo đã hoàn thành và được nghiệm thu "
        "đưa vào sử dụng ngày 25/8/2026.\n\n"
        "| Nội dung | Thông tin |\n|---|---|\n| Chiều dài | 4.100 m |\n"
        "| Nhà thầu | Công ty TNHH MTV Xây dựng Thủy lợi Đồng Tiến |\n"
        "| Khởi công – hoàn thành | 15/3/2026 – 20/8/2026 |\n\n"
        "**2. Hiệu quả:** đê bao bảo vệ khoảng 410 ha lúa và 360 hộ dân.",
    )
    passage = rank("đê bao kênh Ông Đạo nâng cấp xong chưa, nhà thầu nào làm", dyke)
    assert "đã hoàn thành" in passage and "Công ty TNHH MTV Xây dựng Thủy lợi Đồng Tiến" in passage


def test_a_total_asked_of_a_table_gets_its_total_row() -> None:
    poor = entry(
        "poor-2026",
        "Công khai kết quả rà soát hộ nghèo, hộ cận nghèo năm 2026",
        "UBND xã công nhận kết quả rà soát như sau:\n\n"
        "| Ấp | Tổng số hộ | Hộ nghèo | Hộ cận nghèo |\n|---|---|---|---|\n"
        + "".join(
            f"| Ấp {name} | {1200 + i} | {20 + i} | {30 + i} |\n"
            for i, name in enumerate(["Tân Hòa", "Tân Thạnh", "Bình Phú", "Mỹ Lợi", "Rạch Sậy", "Giồng Dứa"])
        )
        + "| **Toàn xã** | **7.948** | **143** | **236** |",
    )
    passage = rank("hộ nghèo ấp Bình Phú có bao nhiêu hộ, toàn xã tổng cộng bao nhiêu", poor)
    assert "| Ấp Bình Phú |" in passage and "**143**" in passage and "Ấp Mỹ Lợi" not in passage


def test_how_much_is_the_budget_gets_its_totals_not_its_preamble() -> None:
    budget = entry(
        "budget-2026",
        "Công khai dự toán ngân sách xã Hòa Phú năm 2026",
        "Căn cứ Nghị quyết số 19/NQ-HĐND của HĐND xã, UBND xã Hòa Phú công khai dự toán thu, chi "
        "ngân sách xã năm 2026.\n\n"
        "| Nội dung | Dự toán 2026 (triệu đồng) |\n|---|---:|\n"
        "| **Tổng thu ngân sách xã** | **41.260** |\n| – Thu tiền sử dụng đất | 13.600 |\n"
        "| **Tổng chi ngân sách xã** | **41.260** |\n| – Chi đầu tư phát triển | 15.900 |\n\n"
        "Mọi ý kiến góp ý gửi Văn phòng HĐND và UBND xã.",
    )
    passage = rank("ngân sách xã năm nay bao nhiêu", budget)
    assert "**Tổng thu ngân sách xã** | **41.260**" in passage


ASSIGNMENTS = entry(
    "assignments",
    "Phân công nhiệm vụ Chủ tịch, các Phó Chủ tịch UBND xã",
    "| Họ tên | Chức vụ | Lĩnh vực phụ trách |\n|---|---|---|\n"
    "| Ông Lò Văn Páo | Chủ tịch UBND xã | Lãnh đạo chung; tài chính, ngân sách; quốc phòng |\n"
    "| Bà Hà Thị Mai | Phó Chủ tịch UBND xã | Kinh tế, nông nghiệp, đất đai, xây dựng |\n"
    "| Ông Vàng A Sình | Phó Chủ tịch UBND xã | Văn hóa – xã hội, giáo dục, y tế |\n"
    "| Bà Lường Thị Xuân | Chánh Văn phòng | Văn phòng, cải cách hành chính |",
)


def test_a_word_the_document_never_writes_is_not_matched_by_its_half() -> None:
    # "địa chính" is not in the table: "chính" of "tài chính", "hành chính" is another word; the
    # land official's row (đất đai) answers
    for question in ("ai phu trach dia chinh", "ai phụ trách địa chính"):
        passage = rank(question, ASSIGNMENTS)
        assert "Hà Thị Mai" in passage and "Lò Văn Páo" not in passage, question
        assert "Lường Thị Xuân" not in passage, question
    assert "Lò Văn Páo" in rank("ai phu trach tai chinh", ASSIGNMENTS)  # the word written there


def test_an_amount_asked_of_a_short_table_of_levels_shows_every_level() -> None:
    # "mất" picks the crops' row by the word alone; the resident whose house was swept away sees
    # the house levels too, as the table is short
    storm = entry(
        "storm",
        "Danh sách hộ được hỗ trợ thiệt hại do mưa đá tháng 5/2026",
        "Trận mưa đá chiều 12/5/2026 làm hư hỏng nhà cửa, hoa màu của nhiều hộ ở bản Pá Khoang.\n\n"
        "| Mức thiệt hại | Số hộ | Mức hỗ trợ |\n|---|---:|---|\n"
        "| Nhà đổ hoàn toàn | 3 | 35.000.000 đồng/hộ |\n"
        "| Nhà tốc mái trên 70% | 11 | 15.000.000 đồng/hộ |\n"
        "| Mất trắng ngô, lúa | 25 | 2.500.000 đồng/ha |\n\n"
        "Nguồn: ngân sách tỉnh và tiền ủng hộ qua Ủy ban MTTQ xã.",
    )
    passage = rank("mưa đá làm nhà bị sập mất thì xã hỗ trợ bao nhiêu", storm)
    assert "35.000.000 đồng/hộ" in passage and "2.500.000 đồng/ha" in passage
    # a name asked keeps to its row
    assert "Lò Văn Páo" not in rank("ai phu trach dia chinh", ASSIGNMENTS)


def test_a_fee_table_under_an_opening_that_ends_in_a_colon_shows_the_fee_asked() -> None:
    # "như sau:" reads as the table's lead; the typed "dong" (đóng, unmarked) matches every row
    fund = entry(
        "fund",
        "Kế hoạch thu Quỹ phòng, chống thiên tai năm 2026",
        "Căn cứ Luật Phòng, chống thiên tai, UBND xã ban hành kế hoạch thu Quỹ năm 2026 như sau:\n\n"
        "**1. Đối tượng và mức đóng**\n\n| Đối tượng | Mức đóng |\n|---|---|\n"
        "| Cán bộ, công chức hưởng lương | 01 ngày lương/người/năm |\n"
        "| Người lao động khác từ đủ 18 tuổi | 15.000 đồng/người/năm |\n"
        "| Doanh nghiệp | 0,02% giá trị tài sản, tối thiểu 500.000 đồng |\n\n"
        "**2. Thời hạn nộp:** chậm nhất ngày 31/5/2026.",
    )
    passage = rank("quy phong chong thien tai moi nguoi dong bao nhieu", fund)
    assert "15.000 đồng/người/năm" in passage


def test_support_asked_of_a_section_is_quoted_from_the_block_after_its_lead() -> None:
    # the crop named is in the section's lead, the amount in the labelled block after it
    farming = entry(
        "farming",
        "Kế hoạch sản xuất vụ Đông Xuân 2026 và chuyển đổi cây trồng trên đất lúa",
        "**1. Chỉ tiêu vụ Đông Xuân:** gieo sạ **3.100 ha** lúa; năng suất phấn đấu 6 tấn/ha.\n\n"
        "**2. Lịch xuống giống:** từ 10/11 đến 30/11/2026 theo từng ấp.\n\n"
        "**3. Chuyển đổi cây trồng năm 2026:** chuyển **30 ha** đất lúa trũng sang cây ăn trái:\n\n"
        "| Cây trồng | Diện tích (ha) | Ấp thực hiện |\n|---|---|---|\n"
        "| Bưởi da xanh | 18 | Tân Phú |\n| Sầu riêng | 12 | Phú Hòa |\n\n"
        "**Chính sách hỗ trợ:** ngân sách cấp **40% giá cây giống**, không quá 8 triệu đồng/ha.\n\n"
        "**Thủ tục:** hộ chuyển đổi cây trồng trên đất lúa nộp đơn tại Trung tâm Phục vụ hành "
        "chính công xã; không thu phí.\n\n"
        "**4. Thủy lợi:** các tổ thủy lợi bơm tát nội đồng theo lịch của xã.",
    )
    passage = rank("trồng bưởi da xanh thì xã có cho tiền không", farming)
    assert "40% giá cây giống" in passage and "Bưởi da xanh" in passage


def test_an_amount_asked_per_household_is_quoted_from_where_it_is_written_per_household() -> None:
    # the funding paragraph shares "tiền" and holds amounts, but totals; "mỗi hộ" asks "đồng/hộ"
    lane = entry(
        "lane",
        "Công khai mức đóng góp bê tông hóa đường ngõ xóm thôn Phú Lộc",
        "**1. Nội dung:** bê tông hóa 1,8 km đường ngõ xóm thôn Phú Lộc, mặt đường rộng 3 m.\n\n"
        "**2. Kinh phí:** 1.420 triệu đồng; ngân sách xã 800 triệu đồng, tiền nhân dân góp 620 triệu "
        "đồng, gồm tiền các hộ đóng 540 triệu đồng và tài trợ tự nguyện của con em xa quê 80 triệu đồng.\n\n"
        "**3. Mức đóng góp**\n\n| Đối tượng | Mức đóng/hộ (đồng) |\n|---|---:|\n"
        "| Hộ bình thường | 700.000 |\n| Hộ cận nghèo | 350.000 |\n| Hộ nghèo | Miễn |\n\n"
        "Việc đóng góp chia làm 2 đợt: đợt 1 trước ngày 30/4/2026, đợt 2 trước ngày 31/7/2026.\n\n"
        "**4. Quản lý tiền đóng góp:** thủ quỹ mở sổ theo dõi, thu có biên lai sau mỗi đợt.",
    )
    passage = rank("nhà e ở Phú Lộc, góp tiền lm đg mỗi hộ bn, đóng mấy đợt", lane)
    assert "700.000" in passage


def test_a_story_with_a_total_is_joined_by_the_table_row_of_the_amount_asked() -> None:
    # the opening tells the flood in the resident's words and gives a total; the amount for a
    # collapsed house is a row of the table of levels (too long to be shown whole)
    flood = entry(
        "flood",
        "Công khai danh sách hỗ trợ hộ bị thiệt hại do lũ tháng 9/2026",
        "Trong các ngày 20 – 22/9/2026, nước lũ lên nhanh làm sập, trôi nhà của nhiều hộ ven suối ở "
        "thôn Khe Mít và thôn Bản Chảy. UBND xã quyết định hỗ trợ 9 hộ, tổng số tiền 214.000.000 đồng.\n\n"
        "**1. Mức hỗ trợ**\n\n| Mức độ thiệt hại | Mức hỗ trợ (đồng/hộ) |\n|---|---:|\n"
        "| Nhà bị sập, trôi hoàn toàn | 38.000.000 |\n| Nhà hư hỏng nặng trên 70% | 18.000.000 |\n"
        "| Nhà hư hỏng 50% – 70% | 12.000.000 |\n| Nhà hư hỏng 30% – 50% | 8.000.000 |\n"
        "| Hư hỏng bếp, chuồng trại | 3.000.000 |\n| Di dời khẩn cấp | 5.000.000 |\n"
        "| Mất lương thực | 2.000.000 |\n\n"
        "**2. Thời gian chi trả:** 8 giờ ngày 10/10/2026 tại hội trường UBND xã.",
    )
    passage = rank("nước lũ làm sập nhà tôi, xã có cho tiền làm lại không", flood)
    assert "| Nhà bị sập, trôi hoàn toàn | 38.000.000 |" in passage
