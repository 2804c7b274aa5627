"""What each board page shows, read through the unit of work (no SQL here) and shaped for templates."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.plaintext import plain
from domain.vnformat import category_name, vn_date
from qa.vntext import fold
from storage.repositories.public import DisclosureItem
from storage.uow import UnitOfWork

PAGE_SIZE = 30  # disclosures on one page of the board (about 10 kB of HTML)
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


def slug(name: str) -> str:
    """'Thôn Tân Sơn' -> 'thon-tan-son' (URLs residents can type; the same as the calendar feeds')."""
    return "-".join(fold(w) for w in name.split())


@dataclass(frozen=True)
class Posting:
    """Where a disclosure is in its posting period (niêm yết, Luật THDCCS Art. 13)."""

    current: bool
    label: str
    period: str


def posting(published_at: date, posted_until: date | None, today: date) -> Posting:
    if posted_until is None:
        return Posting(True, "Đang niêm yết", f"Từ {vn_date(published_at)}, không thời hạn")
    period = f"{vn_date(published_at)} – {vn_date(posted_until)}"
    if today > posted_until:
        return Posting(False, "Hết hạn niêm yết", period)
    return Posting(True, "Đang niêm yết", period)


@dataclass(frozen=True)
class Row:
    """A disclosure in a list."""

    id: str
    title: str
    category: str
    category_name: str
    villages: str  # "Toàn xã" or the villages' names
    published: str
    source: str | None
    posting: Posting


def row(item: DisclosureItem, today: date) -> Row:
    return Row(
        id=item.id,
        title=item.title,
        category=item.category,
        category_name=category_name(item.category),
        villages=", ".join(item.villages) if item.villages else "Toàn xã",
        published=vn_date(item.published_at),
        source=item.source,
        posting=posting(item.published_at, item.posted_until, today),
    )


@dataclass(frozen=True)
class Choice:
    """An option of a filter: its value in the URL, its name, whether it is chosen."""

    value: str
    name: str
    chosen: bool


async def board(
    uow: UnitOfWork, today: date, category: str | None, village_slug: str | None, page: int
) -> dict[str, Any]:
    """The board: disclosures newest first, filtered by category and village, a page at a time."""
    villages = await uow.commune.villages()
    village = next((v for v in villages if slug(v) == village_slug), None)
    counts = await uow.public.category_counts()
    if category not in counts:
        category = None
    items = await uow.public.disclosures(category=category, village=village)
    pages = max(1, -(-len(items) // PAGE_SIZE))
    page = min(max(page, 1), pages)
    shown = items[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    return {
        "rows": [row(i, today) for i in shown],
        "total": len(items),
        "current": sum(1 for i in items if posting(i.published_at, i.posted_until, today).current),
        "page": page,
        "pages": pages,
        "categories": [
            Choice(key, f"{category_name(key)} ({n})", key == category)
            for key, n in sorted(counts.items(), key=lambda kv: category_name(kv[0]))
        ],
        "villages": [Choice(slug(v), v, v == village) for v in villages],
        "category": category,
        "village": village,
        "village_slug": slug(village) if village else None,
    }


async def disclosure(uow: UnitOfWork, disclosure_id: str, today: date) -> dict[str, Any] | None:
    doc = await uow.disclosures.get(disclosure_id)
    if doc is None:
        return None
    return {
        "doc": doc,
        "category_name": category_name(doc.category),
        "villages": ", ".join(doc.villages) if doc.villages else "Toàn xã",
        "published": vn_date(doc.published_at),
        "decided": vn_date(doc.decided_at) if doc.decided_at else None,
        "posting": posting(doc.published_at, doc.posted_until, today),
        "attachments": [(a, a.startswith(("https://", "http://"))) for a in doc.attachments],
        "quarter": quarter_of(doc.published_at),
    }


def quarter_of(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def quarter_bounds(key: str) -> tuple[date, date] | None:
    """'2026-Q4' -> (2026-10-01, 2027-01-01); None when it is not a quarter."""
    found = _QUARTER.match(key)
    if found is None:
        return None
    year, number = int(found.group(1)), int(found.group(2))
    start = date(year, 3 * number - 2, 1)
    end = date(year + 1, 1, 1) if number == 4 else date(year, 3 * number + 1, 1)
    return start, end


def quarter_name(key: str) -> str:
    year, number = key.split("-Q")
    return f"Quý {('I', 'II', 'III', 'IV')[int(number) - 1]} năm {year}"


async def quarter(uow: UnitOfWork, key: str | None, today: date) -> dict[str, Any] | None:
    """The quarterly list of disclosures (Art. 13): every disclosure published in the quarter."""
    key = key or quarter_of(today)
    bounds = quarter_bounds(key)
    if bounds is None:
        return None
    items = await uow.public.disclosures(published_from=bounds[0], published_before=bounds[1])
    items.sort(key=lambda i: (i.published_at, i.id))  # a register reads oldest first
    quarters = sorted({quarter_of(d) for d in await uow.public.published_dates()} | {key}, reverse=True)
    return {
        "key": key,
        "name": quarter_name(key),
        "rows": [row(i, today) for i in items],
        "quarters": [(q, quarter_name(q)) for q in quarters],
    }


@dataclass(frozen=True)
class Found:
    """A search result: where it links and the passage that answers."""

    title: str
    href: str
    kind: str
    passage: str
    meta: str


async def found(uow: UnitOfWork, hits: list[tuple[str, str, str, str]], prefix: str) -> list[Found]:
    """Search hits (kind, id, title, passage) as results with their links and dates."""
    results = []
    for kind, doc_id, title, passage in hits:
        if kind == "disclosure":
            doc = await uow.disclosures.get(doc_id)
            if doc is None:
                continue
            meta = f"{category_name(doc.category)} · công bố {vn_date(doc.published_at)}"
            href = f"{prefix}/van-ban/{doc_id}"
        else:
            meta, href = "Lịch của xã", f"{prefix}/lich#su-kien-{doc_id}"
        results.append(Found(title, href, kind, plain(passage).strip(), meta))
    return results
