"""Zalo Official Account: the webhook Zalo posts followers' events to (blueprint "zalo")."""
