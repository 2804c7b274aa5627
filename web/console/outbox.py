"""The outbox and each group's reach: how many messages wait, are retried or were given up, per
channel, and how posts reach each group now (the scheduler's own decision, scheduled.recipients
`route`: posted directly, relayed by the group's admin, by the Official Account, or not at all yet).

Counts only: no message text of a private chat and no person's identity or chat id is shown. The
group reach comes from a `GroupReaching` function (scheduled/preview.py `group_reach`, bound to the
deployment's channels and put on the web app under `GROUP_REACH` by bot/app.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

from aiohttp import web

from storage.repositories.outbox_reads import Tally
from storage.uow import UnitOfWork
from web.console.auth import require

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from web.console.app import Console

WAYS = {
    "group": "Bot đăng thẳng vào nhóm",
    "relay": "Nhờ quản trị nhóm chuyển tiếp",
    "oa_group": "Official Account của xã đăng",
    "fanout": "Gửi riêng từng người đăng ký",
    "officials": "Nhóm cán bộ",
    "none": "Chưa đăng được",
}


class ReachRow(Protocol):
    """One group and how posts reach it (scheduled.preview.GroupReach)."""

    @property
    def name(self) -> str: ...
    @property
    def channel(self) -> str: ...
    @property
    def way(self) -> str: ...
    @property
    def how(self) -> str: ...
    @property
    def chat(self) -> tuple[str, str] | None: ...
    @property
    def key_suffix(self) -> str: ...


class GroupReaching(Protocol):
    async def __call__(self, uow: UnitOfWork) -> Sequence[ReachRow]: ...


GROUP_REACH = web.AppKey[GroupReaching]("console_group_reach")


def _when(tally: Tally | None, tz: ZoneInfo) -> str:
    if tally is None or tally.last_sent is None:
        return ""
    return tally.last_sent.astimezone(tz).strftime("%H:%M %d/%m/%Y")


async def _group_rows(uow: UnitOfWork, reaching: Sequence[ReachRow], tz: ZoneInfo) -> list[dict[str, Any]]:
    rows = []
    for g in reaching:
        tally = None
        if g.chat is not None:
            channel, chat_id = g.chat
            # a relayed group's posts go to its admin's private chat: only those posts are counted
            suffix = g.key_suffix if g.way == "relay" else None
            tally = (await uow.outbox.tally(channel, chat_id, suffix)).get(channel, Tally())
        rows.append(
            {
                "name": g.name,
                "channel": g.channel.capitalize(),
                "way": WAYS.get(g.way, g.way),
                "blocked": g.way == "none",
                "how": g.how,
                "tally": tally,
                "last": _when(tally, tz),
            }
        )
    return rows


def routes(console: Console) -> list[web.RouteDef]:
    @require()
    async def index(request: web.Request) -> web.Response:
        async with console.store.uow() as uow:
            channels = await uow.outbox.tally()
            groups = await _group_rows(uow, await request.app[GROUP_REACH](uow), console.tz)
        return await console.render(
            request,
            "console/outbox.html",
            "Gửi tin và nhóm",
            nav="outbox",
            channels=[(name.capitalize(), t, _when(t, console.tz)) for name, t in sorted(channels.items())],
            groups=groups,
        )

    return [web.get(console.path("/gui-tin"), index)]
