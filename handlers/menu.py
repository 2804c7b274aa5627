"""Greeting, help, menu, cancel, and browsing disclosures by category."""

from __future__ import annotations

from domain.messages import Button, Incoming, Reply
from domain.vnformat import button_title, category_name, vn_date
from handlers.services import Ctx
from qa.smalltalk import Kind

MAIN_BUTTONS = (
    (Button("📅 Lịch tiếp dân, lịch họp", "cmd:lich"),),
    (Button("📋 Thông tin công khai", "cats"),),
    (Button("📨 Gửi phản ánh, kiến nghị", "gui:new"), Button("🔎 Hồ sơ của tôi", "cmd:cuatoi")),
    (Button("❓ Hướng dẫn", "cmd:help"),),
)

HELP_TEXT = (
    "Bà con có thể:\n"
    "• Gõ câu hỏi bằng lời của mình, có dấu hay không dấu đều được, ví dụ: "
    "“dự toán ngân sách năm nay”, “lich tiep dan thang nay”.\n"
    "• /lich: lịch tiếp công dân, lịch họp, đối thoại trong 30 ngày tới.\n"
    "• /gui: gửi phản ánh, kiến nghị, khiếu nại, tố cáo; nhận mã hồ sơ để theo dõi.\n"
    "• /tracuu MÃ: xem tình trạng hồ sơ. /cuatoi: các hồ sơ của tôi.\n"
    "• /dangky: nhận thông báo, nhắc lịch của thôn mình qua tin nhắn riêng; /huydangky để thôi.\n"
    "• /dulieu, /xoadulieu: xem, xóa dữ liệu cá nhân xã đang lưu.\n"
    "• /start: mở menu.\n"
    "• /huy: hủy thao tác đang làm dở.\n"
    "Mỗi câu trả lời đều ghi rõ nguồn: tên văn bản và ngày công bố."
)
# What officials do with petitions: in their group, and (Zalo, where bots reach no group) privately.
OFFICIALS_HELP = (
    "• Trả lời công dân: trả lời (reply) tin báo hồ sơ mới, hoặc /traloi MÃ nội dung.\n"
    "• Nút dưới tin báo (trên Zalo: nhắn số): Thụ lý, Tôi nhận xử lý, Chuyển, Từ chối, Đã giải quyết.\n"
    "• /tracuu MÃ: tình trạng, diễn biến và các nút thao tác.\n"
    "• /ghichu MÃ nội dung: ghi chú nội bộ, người gửi không thấy.\n"
    "• /giao MÃ mã-cán-bộ: lãnh đạo xã giao hồ sơ cho cán bộ.\n"
    "• /xem MÃ: xem người gửi, chỉ khi nhắn riêng với bot; mỗi lần xem đều được ghi lại.\n"
    "• /baidang: các bài nhờ chuyển vào nhóm thôn đã đăng chưa.\n"
    "Chỉ cán bộ có tên trong danh sách mới thao tác được; giám sát chỉ xem."
)


async def start(msg: Incoming, ctx: Ctx) -> list[Reply]:
    """Greeting with the commune's name and the main menu."""
    commune = await ctx.uow.commune.get()
    name = commune.name if commune else "xã"
    who = f" {msg.user_name}" if msg.user_name else ""
    text = (
        f"Xin chào{who}! Tôi là trợ lý của {name}. "
        "Tôi giúp bà con tra cứu thông tin xã đã công khai và lịch tiếp công dân, lịch họp.\n"
        "Bà con cứ gõ câu hỏi, hoặc chọn bên dưới."
    )
    return [Reply(text, buttons=MAIN_BUTTONS)]


async def help_(msg: Incoming, ctx: Ctx) -> list[Reply]:
    """What the bot can do, for whoever asks where they ask: the officials' group gets the officials'
    commands only; an official privately gets both; everyone else (residents, village groups, the
    web chat) the residents' commands only."""
    console = f"\nTrang cán bộ: {ctx.svc.public_base_url}/can-bo/" if ctx.svc.public_base_url else ""
    if msg.chat_type != "private":
        groups = await ctx.uow.groups.officials_groups()
        if any(g.channel == msg.channel and g.chat_id == msg.chat_id for g in groups):
            return [Reply(f"Việc cán bộ làm với hồ sơ của dân:\n{OFFICIALS_HELP}{console}")]
    elif await ctx.uow.officials.by_account(msg.channel, msg.user_id) is not None:
        text = f"{HELP_TEXT}\n\nViệc của cán bộ:\n{OFFICIALS_HELP}{console}"
        return [Reply(text, buttons=MAIN_BUTTONS)]
    return [Reply(HELP_TEXT, buttons=MAIN_BUTTONS)]


async def cancel(msg: Incoming, ctx: Ctx) -> list[Reply]:
    """/huy: leave any step-by-step flow."""
    had_flow = await ctx.uow.conversations.clear(msg.channel, msg.chat_id, msg.user_id)
    if had_flow:
        return [Reply("Đã hủy thao tác đang làm. Bà con cần gì cứ nhắn nhé.", buttons=MAIN_BUTTONS)]
    return [Reply("Hiện không có thao tác nào đang làm dở.", buttons=MAIN_BUTTONS)]


SMALL_TALK = {
    Kind.GREET: "Chào bà con! Bà con cần hỏi gì về thông tin của xã cứ gõ câu hỏi, hoặc chọn bên dưới nhé.",
    Kind.THANKS: "Dạ, không có gì ạ. Bà con cần gì thêm cứ nhắn nhé.",
    Kind.ACK: "Dạ. Bà con cần hỏi thêm gì cứ nhắn nhé.",
    Kind.BYE: "Chào bà con, chúc bà con một ngày tốt lành!",
}


async def small_talk(msg: Incoming, ctx: Ctx, kind: Kind) -> list[Reply]:
    """A greeting, thanks or "ok": a short friendly line (a greeting also shows the menu)."""
    text = SMALL_TALK.get(kind, SMALL_TALK[Kind.ACK])
    return [Reply(text, buttons=MAIN_BUTTONS if kind is Kind.GREET else (), meta={"small_talk": kind.value})]


async def unknown_command(msg: Incoming, ctx: Ctx) -> list[Reply]:
    """A slash command we do not know: say so kindly and show the menu."""
    name = msg.command[0] if msg.command else ""
    return [
        Reply(
            f"Xin lỗi, tôi chưa hiểu lệnh /{name}. Bà con xem các việc tôi làm được ở dưới nhé.",
            buttons=MAIN_BUTTONS,
        )
    ]


async def categories(msg: Incoming, ctx: Ctx) -> list[Reply]:
    """The categories that have published disclosures."""
    keys = await ctx.uow.disclosures.categories()
    if not keys:
        return [Reply("Xã chưa công khai văn bản nào trên hệ thống.")]
    rows = tuple((Button(category_name(k), f"cat:{k}"),) for k in keys)
    return [Reply("Bà con muốn xem thông tin công khai về lĩnh vực nào?", buttons=rows)]


async def category(msg: Incoming, ctx: Ctx) -> list[Reply]:
    """The latest disclosures of one category, each a button to open it."""
    key = (msg.button or "").removeprefix("cat:")
    docs = await ctx.uow.disclosures.by_category(key, limit=8)
    if not docs:
        return [Reply("Lĩnh vực này chưa có văn bản công khai nào.")]
    lines = [f"{category_name(key)}:"]
    lines += [f"• {d.title} ({vn_date(d.published_at)})" for d in docs]
    rows = tuple((Button(button_title(d.title), f"doc:{d.id}"),) for d in docs)
    return [Reply("\n".join(lines), buttons=rows)]
