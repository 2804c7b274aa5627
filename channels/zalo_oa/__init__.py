"""The Zalo Official Account channel (the commune's verified page; see ZALO.md §2)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from channels.contract import ChannelSpec
from channels.zalo_oa.wire import CAPABILITIES, CHANNEL

if TYPE_CHECKING:
    from bot.config import Settings
    from channels.contract import Channel, Inbox
    from storage.store import Store


def _build(settings: Settings, inbox: Inbox, store: Store) -> Channel:
    from channels.zalo_oa.adapter import ZaloOaChannel  # aiohttp: imported where the channel runs

    return ZaloOaChannel(settings, inbox, store)


SPEC = ChannelSpec(
    name=CHANNEL,
    capabilities=CAPABILITIES,
    enabled=lambda settings: bool(settings.ZALO_OA_APP_ID and settings.ZALO_OA_SECRET_KEY),
    build=_build,
    serves_reach="oa_group",  # posts to the Zalo groups the OA created
)
