"""The commune bot: composition root, channel adapters and web server."""
