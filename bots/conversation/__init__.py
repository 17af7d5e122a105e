"""The conversation with a person in a chat, independent of the channel (Telegram, Zalo):
texts, buttons and files.

Handlers keep the views' order: find who writes, parse, call the same service the web calls,
render the reply. The caller owns the unit of work and commits after we return. A change a
service refuses is rolled back to a savepoint taken just before it, so the refusal can still be
sent and whatever else the update did (a question kept open) commits without half a change.
Every text is Telegram HTML with anything from the database or the person escaped.
"""

from bots.conversation.buttons import handle_button
from bots.conversation.commands import handle_text
from bots.conversation.evidence import IncomingFiles, handle_files
from bots.conversation.replies import Button, ButtonOutcome, Reply, esc, item_buttons

__all__ = [
    "Button",
    "ButtonOutcome",
    "IncomingFiles",
    "Reply",
    "esc",
    "handle_button",
    "handle_files",
    "handle_text",
    "item_buttons",
]
