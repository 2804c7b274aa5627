"""Conversation logic: neutral messages in, replies out; no channel SDK, no SQL."""
