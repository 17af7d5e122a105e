"""The Telegram bot: python-telegram-bot around the channel-agnostic bots.conversation."""
