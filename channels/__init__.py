"""Channel adapters: each turns its messenger's wire format into Incoming and sends Replies."""
