"""/id: the ids the commune's data file needs (an official's user id, a group's chat id).

In a private chat anyone learns their own id on this channel. In a group only an official with
role admin learns the group's chat id; anyone else gets a polite refusal and nothing more (a
group's id is what the bot posts to, so it is not handed to every member).
"""

from __future__ import annotations

from domain.messages import Incoming, Reply
from domain.petitions import Role
from handlers.services import Ctx

GROUP_REFUSED = (
    "Xin lỗi, mã nhóm chỉ cho cán bộ quản trị của xã xem. "
    "Bà con muốn biết mã của mình thì nhắn /id riêng cho bot."
)


async def show_id(msg: Incoming, ctx: Ctx) -> list[Reply]:
    """/id in a private chat: your own id; in a group: the group's id, to an admin only."""
    if msg.chat_type == "private":
        field = f"{msg.channel}_user_id"  # the data file's field (storage/validation.py ACCOUNT_FIELDS)
        return [
            Reply(
                f"Mã tài khoản {msg.channel} của bạn: {msg.user_id}\n"
                f"Cán bộ xã: gửi mã này cho người quản trị để ghi vào tệp dữ liệu ({field})."
            )
        ]
    official = await ctx.uow.officials.by_account(msg.channel, msg.user_id)
    if official is None or official.role != Role.ADMIN:
        return [Reply(GROUP_REFUSED)]
    return [
        Reply(
            f"Mã nhóm này ({msg.channel}): {msg.chat_id}\n"
            f'Ghi vào tệp dữ liệu, mục groups: channel: {msg.channel}, chat_id: "{msg.chat_id}".'
        )
    ]
