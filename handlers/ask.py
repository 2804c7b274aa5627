"""Answer a question from what the commune published, naming the source, or say honestly we can't."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from domain.calendar import occurrences
from domain.messages import Button, Incoming, Reply
from domain.plaintext import plain
from domain.vnformat import button_title, category_name, shortened, vn_date, vn_datetime
from handlers import menu, petitions, tracking
from handlers.ask_lapsed import lapsed
from handlers.ask_schedule import listing, schedule_events
from handlers.services import Ctx
from qa.agreement import offered_first
from qa.codes import find_codes, malformed_code
from qa.entries import SearchHit
from qa.facts import Fact, holders, match
from qa.filing import filing
from qa.mismatch import Mismatch, mismatch, names_event
from qa.passages import clip
from qa.searcher import cap
from qa.smalltalk import Kind, classify, without_lead

# Below this confidence (the logistic model of qa/confidence.py), we abstain rather than guess.
# Chosen with a sweep over four communes (bench/qa_tune.py; top-1 on answerable / abstention on
# dong-tien, Hòa Phú, Tân Lập, Kỳ Sơn): 0.30 gives 0.96/0.76, 0.89/0.75, 0.80/0.86, 0.80/0.86;
# 0.40 gives 0.94/0.84, 0.87/1.00, 0.80/0.93, 0.80/0.86; 0.50 gives 0.87/0.92, 0.87/1.00,
# 0.77/1.00, 0.79/0.86. An abstention still offers the closest documents to open, so a wrong
# answer costs more than a missed one. Checked again on six communes (session 5), each scored by a
# model fitted on the other five: 0.40 is still the lowest threshold whose mean abstention reaches
# 0.80 (0.35: top-1 0.82, abstention 0.76; 0.40: 0.81/0.84; 0.50: 0.79/0.88).
CONFIDENCE_THRESHOLD = 0.40
# Below the threshold but above this, a document is still offered to open ("văn bản có thể liên
# quan"): residents' own words often rank the right document first with too little confidence to
# quote it. Of the answerable questions the bot abstains on (four communes, bench/qa_tune.py data),
# 0.01 offers the right document for 35 of 40 (0.05: 26); an unanswerable question then gets a
# document offered 48 times of 54, a harmless extra button under an honest "not found".
SUGGEST_FLOOR = 0.01
# At most this many documents are offered ("Có thể bà con muốn hỏi:"): 3 reaches the right document
# for more of the answerable questions the bot does not answer than 2 (bench/qa_quality.py "reach").
SUGGESTIONS = 3
MORE_FLOW = "ask"
SOURCES_KEY = "sources"
# When the bot abstains: the documents it still offers to open, best first (`ask --jsonl` "offered").
OFFERED_KEY = "offered"


async def answer(msg: Incoming, ctx: Ctx) -> list[Reply]:
    """Search, answer with the best passage and its source, offer the next results."""
    question = msg.command[1] if msg.command else msg.text
    question = question.strip()
    if not question:
        return [Reply("Bà con gõ câu hỏi sau lệnh /hoi nhé, ví dụ: /hoi lịch tiếp công dân.")]
    if codes := find_codes(question):  # "PA-7K3M9Q", "tra cứu pa 7k3m9q", "hồ sơ PA-… sao rồi": /tracuu
        return [r for code in codes for r in await tracking.lookup(replace(msg, text=f"/tracuu {code}"), ctx)]
    if (typed := malformed_code(question)) is not None:  # "PA-2026-0001": how a code looks, not logged
        return [tracking.bad_code(typed)]
    if (kind := classify(question)) is not None:  # "alo", "cảm ơn ad", "ok": not a question, not logged
        return await (menu.cancel(msg, ctx) if kind is Kind.CANCEL else menu.small_talk(msg, ctx, kind))
    question = without_lead(question)  # "chào ad, lịch tiếp dân?": the question is what follows
    if not any(c.isalpha() for c in question):  # "1", "?": no word to answer, not a question to log
        text = "Bà con gõ câu hỏi bằng chữ giúp tôi nhé, ví dụ: lịch tiếp dân, ngân sách xã năm nay."
        return [Reply(text, meta={SOURCES_KEY: [], OFFERED_KEY: []})]
    if not msg.command and (wish := filing(question)) is not None:  # "tôi muốn phản ánh …": /gui
        return await petitions.begin(msg, ctx, wish.kind, wish.content)
    fact = await fact_reply(ctx, question)
    if fact is not None:  # the commune's own phone, address, villages…: from its data, not a document
        return [fact]
    subscription = await ctx.uow.subscriptions.get(msg.channel, msg.chat_id)
    village = subscription.village if subscription is not None else None
    today = ctx.now.astimezone(ctx.svc.tz).date()
    hits = await ctx.svc.search.search(ctx.uow, question, limit=5, village=village, today=today)
    scheduled = await schedule_events(ctx, question, hits, CONFIDENCE_THRESHOLD)
    if scheduled:  # "lịch họp dân", "khi nào tiếp dân": the events of that kind, not a text naming them
        ids = [s.event.id for s in scheduled]
        await _remember(msg, ctx, "results", {SOURCES_KEY: ids, "shown": len(ids)})
        reply = (
            await render(ctx, ids[0], passage=None, has_more=False)
            if len(ids) == 1
            else listing(ctx, scheduled)
        )
        return [Reply(reply.text, buttons=reply.buttons, meta={SOURCES_KEY: ids})]
    # an event answers only where its title, host or place says what is asked, not its description
    fits = [h for h in hits if h.kind != "event" or await names_asked(ctx, question, h)]
    if not fits or fits[0].confidence < CONFIDENCE_THRESHOLD:  # offered, e5 helping with the order
        return await _abstain(msg, ctx, question, offered_first(hits))
    if await near_miss(ctx, question, fits[0]):  # another year, place or procedure: offered only
        return await _abstain(msg, ctx, question, hits)
    if (lead := await lapsed(ctx, question, fits[0])) is not None:  # a schedule now past: offered
        return await _abstain(msg, ctx, question, hits, lead=lead)
    confident = [fits[0], *(h for h in fits[1:] if h.confidence >= CONFIDENCE_THRESHOLD)]
    ids = [h.id for h in confident]
    await _remember(msg, ctx, "results", {SOURCES_KEY: ids, "shown": 1})
    reply = await render(ctx, ids[0], passage=confident[0].passage, has_more=len(ids) > 1)
    return [Reply(reply.text, buttons=reply.buttons, meta={SOURCES_KEY: ids})]


async def near_miss(ctx: Ctx, question: str, hit: SearchHit) -> Mismatch:
    """What the question asks that the hit's document is not about (qa/mismatch.py): a year or a
    later phase it does not cover, a place or name it never mentions, an official object it is not
    about while it is about a sibling one (another procedure, benefit, fee or work: qa/subjects.py).
    Such a document is offered, not quoted."""
    question = cap(question)  # the words searched, not a megabyte pasted in
    today = ctx.now.astimezone(ctx.svc.tz).date()
    own = await ctx.own_names()
    doc = await ctx.uow.disclosures.get(hit.id) if hit.kind == "disclosure" else None
    if doc is not None:
        texts = [doc.body, " ".join(doc.tags), " ".join(doc.villages), doc.source or ""]
        return mismatch(question, doc.title, texts, today, own)
    event = await ctx.uow.events.get(hit.id) if hit.kind == "event" else None
    if event is not None:
        texts = [event.description or "", event.location or "", event.host or "", " ".join(event.villages)]
        return mismatch(question, event.title, texts, today, own)
    return Mismatch()


async def names_asked(ctx: Ctx, question: str, hit: SearchHit) -> bool:
    """Whether the event hit's own fields hold what the question is about (qa/mismatch.py)."""
    event = await ctx.uow.events.get(hit.id)
    if event is None:
        return True
    own = await ctx.own_names()
    fields = [event.title, event.host or "", event.location or "", *event.villages]
    return names_event(cap(question), fields, own)


async def fact_reply(ctx: Ctx, question: str) -> Reply | None:
    """The answer to a question about the commune itself from its data file, or None.

    Only when the question clearly asks for that fact (qa/facts.py) and the data file holds it:
    otherwise the documents are searched as for any question.
    """
    commune = await ctx.uow.commune.get()
    if commune is None or (asked := match(question, commune.name)) is None:
        return None
    office = f"UBND {commune.name[:1].lower()}{commune.name[1:]}"
    contact = {
        Fact.PHONE: ("số điện thoại", commune.phone),
        Fact.ADDRESS: ("địa chỉ", commune.address),
        Fact.EMAIL: ("thư điện tử (email)", commune.email),
        Fact.WEBSITE: ("trang thông tin điện tử", commune.website),
    }
    lines: list[str] = []
    if asked.kind in contact:
        label, value = contact[asked.kind]
        lines = [f"{label[:1].upper()}{label[1:]} của {office}: {value}."] if value else []
    elif asked.kind is Fact.CONTACT:
        lines = [f"• {label[:1].upper()}{label[1:]}: {value}" for label, value in contact.values() if value]
        lines = [f"Liên hệ {office}:", *lines] if lines else []
    elif asked.kind is Fact.HOURS and commune.office_hours:
        lines = [f"Giờ làm việc của {office}: {commune.office_hours}."]
    elif asked.kind is Fact.VILLAGES and (villages := await ctx.uow.commune.villages()):
        lines = [f"{commune.name} có {len(villages)} thôn:", *(f"• {v}" for v in villages)]
    elif asked.kind is Fact.OFFICIAL:
        people = [o for o in await ctx.uow.officials.all() if o.title]
        found = holders(asked.office, [o.title or "" for o in people], commune.name)
        lines = [f"• {people[i].title}: {people[i].name}" for i in found]
    if not lines:
        return None
    text = "\n".join(["Theo thông tin của xã:", *lines])
    return Reply(text, meta={SOURCES_KEY: [], OFFERED_KEY: [], "fact": asked.kind.value})


async def _remember(msg: Incoming, ctx: Ctx, step: str, data: dict[str, object]) -> None:
    """Keep the last answer's state, unless that would overwrite another flow (a /gui draft)."""
    conv = await ctx.uow.conversations.get(msg.channel, msg.chat_id, msg.user_id)
    if conv is None or conv.flow == MORE_FLOW:
        await ctx.uow.conversations.save(
            msg.channel, msg.chat_id, msg.user_id, flow=MORE_FLOW, step=step, data=data, now=ctx.now
        )


async def more(msg: Incoming, ctx: Ctx) -> list[Reply]:
    """ "Xem thêm": the next result of the last question."""
    conv = await ctx.uow.conversations.get(msg.channel, msg.chat_id, msg.user_id)
    if conv is None or conv.flow != MORE_FLOW:
        return [Reply("Không còn kết quả nào khác. Bà con hỏi câu khác nhé.")]
    ids: list[str] = list(conv.data.get(SOURCES_KEY, []))
    shown = int(conv.data.get("shown", 1))
    if shown >= len(ids):
        return [Reply("Đó là tất cả kết quả tôi tìm được.")]
    data = {SOURCES_KEY: ids, "shown": shown + 1}
    await ctx.uow.conversations.save(
        msg.channel, msg.chat_id, msg.user_id, flow=MORE_FLOW, step="results", data=data, now=ctx.now
    )
    return [await render(ctx, ids[shown], passage=None, has_more=shown + 1 < len(ids))]


async def show_document(msg: Incoming, ctx: Ctx) -> list[Reply]:
    """Open one disclosure chosen from a category list."""
    doc_id = (msg.button or "").removeprefix("doc:")
    return [await render(ctx, doc_id, passage=None, has_more=False)]


async def render(ctx: Ctx, source_id: str, *, passage: str | None, has_more: bool) -> Reply:
    """The answer for one source: passage, then where it comes from."""
    buttons = ((Button("🔎 Xem thêm kết quả khác", "more:next"),),) if has_more else ()
    doc = await ctx.uow.disclosures.get(source_id)
    if doc is not None:
        excerpt = plain(passage or clip(doc.body))
        lines = [excerpt, "", f"📄 Nguồn: {doc.title}"]
        if doc.source:
            lines.append(doc.source)
        period = f"Công bố ngày {vn_date(doc.published_at)}"
        if doc.posted_until:
            period += f", niêm yết đến {vn_date(doc.posted_until)}"
            if doc.posted_until < ctx.now.astimezone(ctx.svc.tz).date():
                period += " (đã hết hạn niêm yết)"
        lines.append(f"{period} ({category_name(doc.category)}).")
        if ctx.svc.public_base_url:  # the disclosure's page on the public notice board
            lines.append(f"Xem toàn văn: {ctx.svc.public_base_url}/van-ban/{doc.id}")
        return Reply("\n".join(lines), buttons=buttons)
    event = await ctx.uow.events.get(source_id)
    if event is None:
        return Reply("Văn bản này không còn trên hệ thống.")
    soon = occurrences(event, ctx.now, ctx.now + timedelta(days=120), ctx.svc.tz)[:3]
    lines = [f"📅 {event.title}"]
    if soon:
        lines += [f"• {vn_datetime(o.start)}" for o in soon]
    else:
        lines.append("Hiện chưa có buổi nào sắp tới trong lịch đã công bố.")
    if event.location:
        lines.append(f"Địa điểm: {event.location}")
    if event.host:
        lines.append(f"Chủ trì: {event.host}")
    if event.description:
        lines.append(plain(shortened(event.description, 400)))
    lines.append(f"\nNguồn: lịch “{event.title}” do xã công bố.")
    return Reply("\n".join(lines), buttons=buttons)


async def _abstain(
    msg: Incoming, ctx: Ctx, question: str, near: list[SearchHit], lead: str | None = None
) -> list[Reply]:
    """Not answered: record the question and say so honestly. When some documents come close, offer
    at most SUGGESTIONS of them to open ("Có thể bà con muốn hỏi:", or after `lead`: why the first
    does not answer); otherwise say that nothing the commune published speaks of it. Either way the
    question can be sent to the commune as a petition (kiến nghị)."""
    await ctx.uow.unanswered.add(msg.channel, msg.chat_id, question, ctx.now)
    await _remember(msg, ctx, "unanswered", {"unanswered": question})
    maybe = [h for h in near if h.confidence >= SUGGEST_FLOOR][:SUGGESTIONS]
    petition = (Button("📨 Gửi câu hỏi này cho xã (kiến nghị)", "gui:fromq"),)
    meta = {SOURCES_KEY: [], OFFERED_KEY: [h.id for h in maybe], "unanswered": question}
    if maybe:
        text = (
            f"{lead}\nBà con có thể mở để xem:"
            if lead
            else "Tôi chưa tìm thấy thông tin trả lời chắc chắn câu hỏi này; câu hỏi đã được ghi lại "
            "để cán bộ xã xem xét.\nCó thể bà con muốn hỏi:"
        )
        offers = tuple((Button(f"📄 {button_title(h.title)}", f"doc:{h.id}"),) for h in maybe)
        return [Reply(text, buttons=(*offers, petition), meta=meta)]
    categories: list[str] = []
    for hit in near:
        doc = await ctx.uow.disclosures.get(hit.id)
        if doc is not None and doc.category not in categories:
            categories.append(doc.category)
    rows = (petition, *((Button(category_name(c), f"cat:{c}"),) for c in categories[:3]))
    rows += ((Button("📋 Tất cả lĩnh vực", "cats"),),)
    text = (
        "Xin lỗi bà con, tôi chưa tìm thấy thông tin: xã chưa có thông tin công khai nào về việc này.\n"
        "Câu hỏi đã được ghi lại để cán bộ xã xem xét. Bà con có thể gửi câu hỏi thành kiến nghị "
        "để xã trả lời, hoặc xem các lĩnh vực dưới đây."
    )
    return [Reply(text, buttons=rows, meta=meta)]
