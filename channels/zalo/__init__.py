"""The Zalo Bot Platform channel (residents' one-to-one chats; see ZALO.md)."""

from __future__ import annotations

from channels.contract import ChannelSpec
from channels.zalo.adapter import CAPABILITIES, ZaloChannel
from channels.zalo.wire import CHANNEL

SPEC = ChannelSpec(
    name=CHANNEL,
    capabilities=CAPABILITIES,
    enabled=lambda settings: bool(settings.ZALO_BOT_TOKEN),
    build=lambda settings, inbox, store: ZaloChannel(settings, inbox, settings.ZALO_POLL_INTERVAL, store),
    posts_in_groups=lambda settings: settings.ZALO_GROUP_SEND,
)
