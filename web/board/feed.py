"""The Atom feed of new disclosures (/tin-moi.xml), built with feedgen."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from domain.plaintext import plain
from domain.vnformat import category_name
from qa.passages import clip
from storage.models import Disclosure

FEED_SIZE = 30


def _when(doc: Disclosure, tz: ZoneInfo) -> datetime:
    """When the disclosure was published, as a moment (its day's start in the commune)."""
    return datetime.combine(doc.published_at, time(), tz)


def atom(commune_name: str, docs: list[Disclosure], base_url: str, tz: ZoneInfo, now: datetime) -> bytes:
    """An Atom 1.0 document: the newest disclosures, each linking to its page on the board."""
    from feedgen.feed import FeedGenerator  # lxml: imported when first used, not by every CLI verb

    feed = FeedGenerator()
    feed.id(f"{base_url}/tin-moi.xml")
    feed.title(f"Văn bản mới của {commune_name}")
    feed.subtitle(f"Thông tin {commune_name} công khai theo Luật Thực hiện dân chủ ở cơ sở")
    feed.author({"name": commune_name})
    feed.link(href=f"{base_url}/", rel="alternate")
    feed.link(href=f"{base_url}/tin-moi.xml", rel="self")
    feed.language("vi")
    feed.updated(max((_updated(d, tz) for d in docs), default=now.astimezone(UTC)))
    for doc in reversed(docs):  # feedgen puts the last added first
        entry = feed.add_entry()
        url = f"{base_url}/van-ban/{doc.id}"
        entry.id(url)
        entry.title(doc.title)
        entry.link(href=url, rel="alternate")
        entry.published(_when(doc, tz))
        entry.updated(_updated(doc, tz))
        entry.category(term=doc.category, label=category_name(doc.category))
        summary = plain(clip(doc.body))
        if doc.source:
            summary = f"{doc.source}. {summary}"
        entry.summary(summary)
    return bytes(feed.atom_str(pretty=False))


def _updated(doc: Disclosure, tz: ZoneInfo) -> datetime:
    published = _when(doc, tz)
    return max(published, doc.updated_at) if doc.updated_at is not None else published
