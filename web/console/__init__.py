"""The officials' console (`/can-bo/`): login by one-time code, the petition queue, a petition's page."""
