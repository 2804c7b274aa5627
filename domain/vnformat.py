"""Dates, times and categories the way Vietnamese residents read them."""

from __future__ import annotations

from datetime import date, datetime

WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")

CATEGORY_NAMES: dict[str, str] = {
    "chinh_sach_phap_luat": "Chính sách, pháp luật",
    "ke_hoach_kt_xh": "Kế hoạch phát triển kinh tế - xã hội",
    "quy_hoach_dat_dai": "Quy hoạch, đất đai, bồi thường",
    "ngan_sach": "Ngân sách xã",
    "dong_gop": "Các khoản đóng góp của Nhân dân",
    "an_sinh_xa_hoi": "An sinh xã hội, hộ nghèo",
    "dau_tu_cong": "Đầu tư công, công trình",
    "thu_tuc_hanh_chinh": "Thủ tục hành chính, phí, lệ phí",
    "to_chuc_bo_may": "Tổ chức bộ máy, sáp nhập thôn",
    "thanh_tra_kiem_tra": "Thanh tra, kiểm tra",
    "bau_cu": "Bầu cử",
    "khac": "Thông tin khác",
}

EVENT_KINDS: dict[str, str] = {
    "tiep_cong_dan": "Tiếp công dân",
    "hop": "Họp",
    "doi_thoai": "Đối thoại với Nhân dân",
    "hoi_nghi": "Hội nghị",
    "khac": "Sự kiện",
}


def vn_date(day: date) -> str:
    """15/12/2026."""
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def vn_time(moment: datetime) -> str:
    """8 giờ 00."""
    return f"{moment.hour} giờ {moment.minute:02d}"


def vn_datetime(moment: datetime) -> str:
    """Thứ Ba, 15/12/2026, 8 giờ 00."""
    return f"{WEEKDAYS[moment.weekday()]}, {vn_date(moment.date())}, {vn_time(moment)}"


def category_name(key: str) -> str:
    """Readable name of a disclosure category key."""
    return CATEGORY_NAMES.get(key, key)


def button_title(title: str, limit: int = 60) -> str:
    """A document title short enough for a button, cut after a whole word with an ellipsis."""
    return shortened(title, limit, sentences=False)


def shortened(text: str, limit: int, *, sentences: bool = True) -> str:
    """At most `limit` characters, never a word cut in two ("năm 2…"): the whole sentences that fit
    (when they fill at least half), else the whole words, then an ellipsis."""
    text = text.strip()
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    if text[limit - 1].isspace():  # the last word ends where the cut falls
        head += " "
    end = max(head.rfind(". "), head.rfind("\n")) if sentences else -1
    if end > limit // 2:
        return head[: end + 1].rstrip() + " …"
    space = head.rstrip().rfind(" ") if not head.endswith(" ") else len(head) - 1
    cut = head[:space] if space > limit // 2 else head
    return cut.rstrip(" ,;:–-") + "…"
