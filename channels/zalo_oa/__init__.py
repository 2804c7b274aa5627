"""The Zalo Official Account channel (the commune's verified page; see ZALO.md §2)."""

from __future__ import annotations

from channels.contract import ChannelSpec
from channels.zalo_oa.adapter import CAPABILITIES, ZaloOaChannel
from channels.zalo_oa.wire import CHANNEL

SPEC = ChannelSpec(
    name=CHANNEL,
    capabilities=CAPABILITIES,
    enabled=lambda settings: bool(settings.ZALO_OA_APP_ID and settings.ZALO_OA_SECRET_KEY),
    build=lambda settings, inbox, store: ZaloOaChannel(settings, inbox, store),
    serves_reach="oa_group",  # posts to the Zalo groups the OA created
)
