"""The one error the parser raises: a bilingual message fit for a person, never a traceback."""

from __future__ import annotations


class ParseError(Exception):
    """A file the parser cannot read; `message_vi` and `message_en` say why."""

    def __init__(self, message_vi: str, message_en: str) -> None:
        self.message_vi = message_vi
        self.message_en = message_en
        super().__init__(f"{message_vi} / {message_en}")
