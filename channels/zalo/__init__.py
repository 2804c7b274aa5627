"""The Zalo Bot Platform channel (residents' one-to-one chats; see ZALO.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from channels.contract import ChannelSpec
from channels.zalo.wire import CAPABILITIES, CHANNEL

if TYPE_CHECKING:
    from bot.config import Settings
    from channels.contract import Channel, Inbox
    from storage.store import Store


def _build(settings: Settings, inbox: Inbox, store: Store) -> Channel:
    from channels.zalo.adapter import ZaloChannel  # aiohttp: imported where the channel runs

    return ZaloChannel(settings, inbox, settings.ZALO_POLL_INTERVAL, store)


SPEC = ChannelSpec(
    name=CHANNEL,
    capabilities=CAPABILITIES,
    enabled=lambda settings: bool(settings.ZALO_BOT_TOKEN),
    build=_build,
    posts_in_groups=lambda settings: settings.ZALO_GROUP_SEND,
)
