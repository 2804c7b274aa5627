"""What officials do with petitions: accept, take, forward, refuse, resolve, answer, note, view identity.

Every action is checked against the officials list (by messenger account); anyone else is
refused politely and nothing changes. Every change is an audit event.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain import petition_actions as rules
from domain.messages import Attachment, Button, Incoming, Reply
from domain.petition_access import may_act
from domain.petition_actions import NOT_ALLOWED, Change, Refusal
from domain.petition_texts import KIND_LABELS, after_reply
from domain.petitions import Op
from domain.vnformat import vn_date
from handlers import notify
from handlers.services import Ctx
from storage.models import Official, Petition

FLOW = "official"
NOT_FOUND = "Không tìm thấy hồ sơ với mã này."
_ASK_REASON = {Op.REFUSE: "lý do không thụ lý", Op.FORWARD: "cơ quan sẽ chuyển đến (và lý do)"}


async def _official(msg: Incoming, ctx: Ctx) -> Official | None:
    """The sender when they may act on petitions (admins and handlers), else None."""
    official = await ctx.uow.officials.by_account(msg.channel, msg.user_id)
    return official if may_act(official) else None


def _who(official: Official) -> str:
    return f"{official.name}" + (f" ({official.title})" if official.title else "")


def _rules(ctx: Ctx) -> rules.Rules:
    return rules.Rules(tz=ctx.svc.tz, policy=ctx.svc.policy, calendar=ctx.svc.calendar)


async def _load(msg: Incoming, ctx: Ctx, code: str) -> tuple[Official, Petition] | list[Reply]:
    """The acting official and the petition, or the polite refusal to send instead."""
    official = await _official(msg, ctx)
    if official is None:
        return [Reply(NOT_ALLOWED)]
    petition = await ctx.uow.petitions.by_code(code)
    if petition is None or petition.id is None:
        return [Reply(NOT_FOUND)]
    return official, petition


@dataclass(frozen=True)
class Acted:
    """An action done: the change stored and the filer's notices (to queue with the reply)."""

    change: Change
    notices: list[Reply]
    waits: bool = False  # the filer's messenger holds them until the filer writes again (Zalo OA)


async def act(ctx: Ctx, op: Op, petition: Petition, official: Official, text: str = "") -> Acted | Refusal:
    """What an official's action does, stored, and what the filer is told of it: the one function
    the chat and the web console both act through (same rules, same words)."""
    decided = rules.decide(op, petition, official, ctx.now, _rules(ctx), text)
    if isinstance(decided, Refusal):
        return decided
    await ctx.uow.petitions.apply(petition, decided, ctx.now)
    told = _filer_text(op, petition, decided)
    if told is None:
        return Acted(decided, [])
    buttons = _stars(petition.code) if op is Op.RESOLVE else ()
    notices = await notify.to_filer(ctx, petition, told, buttons=buttons)
    waits = bool(notices) and op is Op.ANSWER and await notify.window_closed(ctx, petition)
    return Acted(decided, notices, waits)


def _stars(code: str) -> tuple[tuple[Button, ...], ...]:
    return (tuple(Button("⭐" * n, f"rate:{code}:{n}") for n in range(1, 6)),)


def _filer_text(op: Op, petition: Petition, change: Change) -> str | None:
    """What the filer is told of this change (None: nothing)."""
    code = petition.code
    if op is Op.ACCEPT:
        return f"Hồ sơ {code} của bà con đã được thụ lý.{_due(petition)}"
    if op is Op.REFUSE:
        return f"Hồ sơ {code} không được thụ lý. Lý do: {change.detail}"
    if op is Op.FORWARD:
        return f"Hồ sơ {code} đã được chuyển đến cơ quan có thẩm quyền: {change.detail}"
    if op is Op.RESOLVE:
        return (
            f"Hồ sơ {code} đã được giải quyết xong. Bà con đánh giá việc giải quyết từ 1 đến 5 sao "
            f"(chọn số sao, hoặc gõ /danhgia {code} 5):"
        )
    if op is Op.ANSWER:
        return f"📩 UBND xã trả lời hồ sơ {code}:\n{change.answer}"
    return None


def _due(petition: Petition) -> str:
    return f" Hạn giải quyết: {vn_date(petition.resolve_due)}." if petition.resolve_due else ""


async def _do(
    ctx: Ctx, op: Op, petition: Petition, official: Official, text: str = ""
) -> Acted | list[Reply]:
    """Act; the refusal to send when the rules say no."""
    done = await act(ctx, op, petition, official, text)
    return [Reply(done.reason)] if isinstance(done, Refusal) else done


async def button(msg: Incoming, ctx: Ctx) -> list[Reply]:
    """A button under an announcement: op:<action>:<code>."""
    _, action, code = (msg.button or "::").split(":", 2)
    loaded = await _load(msg, ctx, code)
    if isinstance(loaded, list):
        return loaded
    official, petition = loaded
    try:
        op = Op(action)
    except ValueError:
        return [Reply("Thao tác không hợp lệ.")]
    if op in _ASK_REASON:
        refused = rules.check(op, petition, official)
        if refused is not None:
            return [Reply(refused.reason)]
        await ctx.uow.conversations.save(
            msg.channel, msg.chat_id, msg.user_id, flow=FLOW, step=op, data={"code": code}, now=ctx.now
        )
        return [Reply(f"{official.name} gõ {_ASK_REASON[op]} cho hồ sơ {code} (gõ /huy để thôi):")]
    if op is Op.ACCEPT:
        return await accept(ctx, petition, official)
    if op is Op.TAKE:
        return await take(ctx, petition, official)
    if op is Op.RESOLVE:
        return await resolve(ctx, petition, official)
    return [Reply("Thao tác không hợp lệ.")]


async def accept(ctx: Ctx, petition: Petition, official: Official) -> list[Reply]:
    done = await _do(ctx, Op.ACCEPT, petition, official)
    if isinstance(done, list):
        return done
    return [Reply(f"{_who(official)} đã thụ lý hồ sơ {petition.code}.{_due(petition)}"), *done.notices]


async def take(ctx: Ctx, petition: Petition, official: Official) -> list[Reply]:
    done = await _do(ctx, Op.TAKE, petition, official)
    if isinstance(done, list):
        return done
    return [Reply(f"{_who(official)} nhận xử lý hồ sơ {petition.code}.")]


async def resolve(ctx: Ctx, petition: Petition, official: Official) -> list[Reply]:
    done = await _do(ctx, Op.RESOLVE, petition, official)
    if isinstance(done, list):
        return done
    return [Reply(f"{_who(official)} đã đánh dấu hồ sơ {petition.code} là đã giải quyết."), *done.notices]


async def reason(msg: Incoming, ctx: Ctx, step: str, code: str) -> list[Reply]:
    """The text an official typed after Refuse or Forward."""
    official = await _official(msg, ctx)
    text = msg.text.strip()
    if official is not None and len(text) < rules.REASON_MIN:  # "ko": the reason is asked again
        return [
            Reply(f"Cần ghi rõ lý do; chưa có gì thay đổi. {official.name} gõ lại lý do (gõ /huy để thôi):")
        ]
    await ctx.uow.conversations.clear(msg.channel, msg.chat_id, msg.user_id)
    if official is None:
        return [Reply(NOT_ALLOWED)]
    petition = await ctx.uow.petitions.by_code(code)
    if petition is None or petition.id is None:
        return [Reply(NOT_FOUND)]
    op = Op.REFUSE if step == Op.REFUSE else Op.FORWARD
    done = await _do(ctx, op, petition, official, text)
    if isinstance(done, list):
        return done
    told = _filer_text(op, petition, done.change)
    return [Reply(f"Đã ghi nhận ({_who(official)}): {told}"), *done.notices]


async def answer(msg: Incoming, ctx: Ctx, code: str, text: str) -> list[Reply]:
    """An official's answer to the filer (reply to the announcement, or /traloi CODE text)."""
    loaded = await _load(msg, ctx, code)
    if isinstance(loaded, list):
        return loaded
    official, petition = loaded
    done = await _do(ctx, Op.ANSWER, petition, official, text)
    if isinstance(done, list):
        return done
    delivered = done.notices
    note = "đã gửi đến người gửi" if delivered else "đã lưu (người gửi đã xóa dữ liệu liên hệ)"
    if done.waits:
        note = (
            "đã lưu. Người gửi chưa nhắn cho Zalo OA của xã trong 7 ngày qua nên Zalo chưa cho gửi; "
            "trả lời sẽ tự gửi khi họ nhắn lại"
        )
    step = after_reply(petition.kind, petition.status, petition.first_due, petition.resolve_due)
    return [Reply(f"Trả lời hồ sơ {petition.code} {note}. {step}".rstrip()), *delivered]


async def traloi(msg: Incoming, ctx: Ctx) -> list[Reply]:
    """/traloi CODE text: answer from any chat (how officials answer on Zalo)."""
    args = msg.command[1] if msg.command else ""
    code, _, text = args.partition(" ")
    if not code:
        return [Reply("Cách dùng: /traloi MÃ-HỒ-SƠ nội dung trả lời")]
    return await answer(msg, ctx, code.upper(), text)


async def assign(msg: Incoming, ctx: Ctx) -> list[Reply]:
    """/giao CODE official-id: an admin gives a petition to an official (e.g. a denunciation)."""
    code, _, target = (msg.command[1] if msg.command else "").partition(" ")
    if not code or not target.strip():
        return [Reply("Cách dùng: /giao MÃ-HỒ-SƠ mã-cán-bộ (ví dụ: /giao TC-7K3M9Q tran-thi-binh)")]
    loaded = await _load(msg, ctx, code.upper())
    if isinstance(loaded, list):
        return loaded
    admin, petition = loaded
    officials = await ctx.uow.officials.all()
    to = next((o for o in officials if o.id == target.strip().lower()), None)
    done = rules.assign(petition, admin, to)
    if isinstance(done, Refusal):
        known = ", ".join(o.id for o in officials if may_act(o))
        return [Reply(done.reason + (f" Mã cán bộ: {known}." if to is None else ""))]
    await ctx.uow.petitions.apply(petition, done, ctx.now)
    return [Reply(f"Đã giao hồ sơ {petition.code} cho {done.detail}.")]


async def note(msg: Incoming, ctx: Ctx) -> list[Reply]:
    """/ghichu CODE text: an internal note, never shown to the filer."""
    official = await _official(msg, ctx)
    if official is None:
        return [Reply(NOT_ALLOWED)]
    code, _, text = (msg.command[1] if msg.command else "").partition(" ")
    petition = await ctx.uow.petitions.by_code(code)
    if petition is None or petition.id is None:
        return [Reply("Cách dùng: /ghichu MÃ-HỒ-SƠ nội dung ghi chú")]
    done = await _do(ctx, Op.NOTE, petition, official, text)
    if isinstance(done, list):
        return done
    return [Reply(f"Đã ghi chú nội bộ vào hồ sơ {petition.code}.")]


async def identity(msg: Incoming, ctx: Ctx) -> list[Reply]:
    """/xem CODE in a private chat: who filed it; for denunciations only the assignee and admins."""
    if msg.chat_type != "private":
        return [Reply("Vì bảo mật, lệnh /xem chỉ dùng khi nhắn riêng với bot.")]
    official = await ctx.uow.officials.by_account(msg.channel, msg.user_id)
    code = (msg.command[1] if msg.command else "").strip().upper()
    petition = await ctx.uow.petitions.by_code(code) if code else None
    if official is None or petition is None or petition.id is None:
        return [Reply(NOT_ALLOWED if official is None else NOT_FOUND)]
    viewed = rules.identity_view(official, petition)
    if isinstance(viewed, Refusal):
        return [Reply(viewed.reason)]
    party = await ctx.uow.petitions.party(petition.id)
    await ctx.uow.petitions.apply(petition, viewed, ctx.now)
    if party is None or party.erased_at is not None:
        return [Reply(f"Người gửi hồ sơ {code} đã xóa dữ liệu cá nhân.")]
    if not party.name and not party.phone:
        return [Reply(f"Người gửi hồ sơ {code} không để lại họ tên, số điện thoại."), *_photos(petition)]
    return [
        Reply(
            f"Người gửi hồ sơ {code} ({KIND_LABELS[petition.kind]}): {party.name or '—'}, "
            f"điện thoại {party.phone or '—'}. Lần xem này đã được ghi lại."
        ),
        *_photos(petition),
    ]


def _photos(petition: Petition) -> list[Reply]:
    refs = tuple(Attachment(kind="photo", ref=p["ref"]) for p in petition.photos if p.get("ref"))
    return [Reply(f"Ảnh của hồ sơ {petition.code}", attachments=refs)] if refs else []
