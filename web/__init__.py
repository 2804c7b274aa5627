"""aiohttp server: webhooks, the web chat page, health."""
