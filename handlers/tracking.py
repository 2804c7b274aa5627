"""/tracuu, /cuatoi and rating: residents follow their petitions; strangers learn nothing."""

from __future__ import annotations

from collections.abc import Callable

from domain import petition_access as access
from domain import petition_actions as actions
from domain.messages import Incoming, Reply
from domain.petition_access import View
from domain.petition_actions import Refusal
from domain.petition_texts import ACTION_LABELS, CODE_PREFIX, KIND_LABELS, after_reply, status_label
from domain.petitions import Action, Status, is_open
from domain.redaction import redact
from domain.vnformat import vn_date
from handlers import notify
from handlers.services import Ctx
from qa.codes import find_codes
from storage.models import Petition

RATING_FLOW = "rating"
NOTHING = "Không tìm thấy hồ sơ nào với mã này mà bà con được xem. Bà con kiểm tra lại mã nhé."


def bad_code(typed: str) -> Reply:
    """A string typed as a code that cannot be one: how a code looks, and where to find it."""
    shown = typed if len(typed) <= 30 else typed[:29] + "…"
    kinds = ", ".join(f"{p} ({KIND_LABELS[k].lower()})" for k, p in CODE_PREFIX.items())
    return Reply(
        f"Mã “{shown}” có vẻ chưa đúng. Mã hồ sơ có 2 chữ cái, dấu gạch ngang và 6 chữ, số, "
        f"ví dụ PA-7K3M9Q; 2 chữ đầu là loại hồ sơ: {kinds}. Mã có trong tin nhắn xác nhận khi "
        "bà con gửi; gõ /cuatoi để xem các hồ sơ bà con đã gửi từ đây."
    )


async def _view(msg: Incoming, ctx: Ctx, petition: Petition) -> tuple[View, Callable[[str], str]]:
    """How much of this petition the sender sees in this chat, and how its texts are shown.

    Officials who may not know the filer (a supervisor; a handler not holding a denunciation)
    get the answer and the notes with the filer's name and self-introductions hidden.
    """
    assert petition.id is not None
    official = await ctx.uow.officials.by_account(msg.channel, msg.user_id)
    party = await ctx.uow.petitions.party(petition.id)
    own = party is not None and party.channel == msg.channel and party.user_id == msg.user_id
    on_slip = party is not None and party.channel is None and party.erased_at is None
    view = access.view_for(official, own, msg.chat_type == "private", on_slip=on_slip)
    if view is View.OFFICIAL and not access.may_see_identity(official, petition):
        names = [party.name] if party is not None and party.name else []
        return view, lambda text: redact(text, names)
    return view, lambda text: text


async def lookup(msg: Incoming, ctx: Ctx) -> list[Reply]:
    """/tracuu CODE: status and history, only for the filer and officials (in a group: public part)."""
    typed = (msg.command[1] if msg.command else "").strip()
    if not typed:
        return [Reply("Bà con gõ /tracuu kèm mã hồ sơ, ví dụ: /tracuu PA-7K3M9Q")]
    petition = await ctx.uow.petitions.by_code(typed.upper())
    if petition is None:  # "pa 7k3m9q", "PA-7K3 M9Q": the code however it was spaced
        codes = find_codes(typed)
        if not codes:
            return [bad_code(typed)]
        petition = await ctx.uow.petitions.by_code(codes[0])
    if petition is None or petition.id is None:
        return [Reply(NOTHING)]
    view, shown_as = await _view(msg, ctx, petition)
    if view is View.NONE:
        return [Reply(NOTHING)]
    events = await ctx.uow.petitions.events(petition.id, include_internal=view is View.OFFICIAL)
    answers = [e for e in events if e.action == Action.ANSWERED and e.at is not None]
    answered_on = (
        vn_date(answers[-1].at.astimezone(ctx.svc.tz).date()) if answers and answers[-1].at else None
    )
    lines = [
        f"Hồ sơ {petition.code} ({KIND_LABELS[petition.kind]}): {status_label(petition.status, answered_on)}",
        f"Thời hạn: {notify.deadlines_line(petition, ctx.svc.tz)}",
    ]
    if petition.accepted_at:
        lines.append(f"Ngày thụ lý: {vn_date(petition.accepted_at.astimezone(ctx.svc.tz).date())}")
    if view is View.OFFICIAL and answered_on and petition.status == Status.RECEIVED:
        lines.append(after_reply(petition.kind, petition.status, petition.first_due, petition.resolve_due))
    if view is not View.PUBLIC:
        lines.append(f"Nội dung: {petition.summary if view is View.OFFICIAL else petition.content}")
        if petition.answer:
            on = f" ({answered_on})" if answered_on else ""
            lines.append(f"Trả lời của xã{on}: {shown_as(petition.answer)}")
    lines.append("Diễn biến:")
    for event in events:
        when = vn_date(event.at.astimezone(ctx.svc.tz).date()) if event.at else ""
        shown = event.detail and view is not View.PUBLIC and event.action != Action.ANSWERED
        detail = f": {shown_as(event.detail or '')}" if shown else ""
        lines.append(f"• {when} {ACTION_LABELS.get(event.action, event.action)}{detail}")
    if view is View.PUBLIC and msg.chat_type != "private":  # privately: a slip's holder, status only
        lines.append(f"Xem đầy đủ: nhắn riêng cho bot /tracuu {petition.code}")
    official = await ctx.uow.officials.by_account(msg.channel, msg.user_id)
    if view is View.OFFICIAL and access.may_work(official, petition) and is_open(petition):
        # the actions again, privately: on Zalo (numbered choices) the announcement's die with the next message
        return [Reply("\n".join(lines), buttons=notify.action_buttons(petition.code))]
    return [Reply("\n".join(lines))]


async def mine(msg: Incoming, ctx: Ctx) -> list[Reply]:
    """/cuatoi: the petitions filed from this account."""
    petitions = await ctx.uow.petitions.for_user(msg.channel, msg.user_id)
    if not petitions:
        return [Reply("Bà con chưa gửi phản ánh, kiến nghị nào. Gõ /gui để gửi.")]
    lines = ["Hồ sơ của bà con:"]
    for p in petitions:
        received = vn_date(p.received_at.astimezone(ctx.svc.tz).date()) if p.received_at else ""
        lines.append(
            f"• {p.code} — {KIND_LABELS[p.kind]}, {received}: {status_label(p.status, answered=bool(p.answer))}"
        )
    lines.append("Xem chi tiết: /tracuu MÃ")
    return [Reply("\n".join(lines))]


async def rate(msg: Incoming, ctx: Ctx) -> list[Reply]:
    """A star button (rate:CODE:n) or /danhgia CODE n, by the filer of a resolved petition."""
    if msg.button:
        _, code, value = msg.button.split(":", 2)
    else:
        code, _, value = (msg.command[1] if msg.command else "").partition(" ")
    petition = await ctx.uow.petitions.by_code(code.strip())
    if petition is None or petition.id is None:
        return [Reply(NOTHING)]
    party = await ctx.uow.petitions.party(petition.id)
    if party is None or party.channel != msg.channel or party.user_id != msg.user_id:
        return [Reply(NOTHING)]
    rated = actions.rate(petition, value)
    if isinstance(rated, Refusal):
        return [Reply(rated.reason)]
    await ctx.uow.petitions.apply(petition, rated, ctx.now)
    value = str(rated.rating)
    busy = await ctx.uow.conversations.get(msg.channel, msg.chat_id, msg.user_id)
    if busy is not None and busy.flow != RATING_FLOW:  # e.g. a /gui draft: keep it going
        return [Reply(f"Cảm ơn bà con đã đánh giá {value}/5. Bà con tiếp tục việc đang làm dở nhé.")]
    await ctx.uow.conversations.save(
        msg.channel,
        msg.chat_id,
        msg.user_id,
        flow=RATING_FLOW,
        step="comment",
        data={"code": petition.code},
        now=ctx.now,
    )
    return [
        Reply(
            f"Cảm ơn bà con đã đánh giá {value}/5. Bà con có muốn góp ý thêm? Gõ góp ý, hoặc /huy để bỏ qua."
        )
    ]


async def rating_comment(msg: Incoming, ctx: Ctx, code: str) -> list[Reply]:
    """The optional comment after a rating."""
    await ctx.uow.conversations.clear(msg.channel, msg.chat_id, msg.user_id)
    petition = await ctx.uow.petitions.by_code(code)
    if petition is None or petition.id is None or not msg.text.strip():
        return [Reply("Cảm ơn bà con.")]
    petition.rating_comment = msg.text.strip()[:2000]
    ctx.uow.petitions.save(petition)
    return [Reply("Cảm ơn góp ý của bà con, xã sẽ xem xét để phục vụ tốt hơn.")]
