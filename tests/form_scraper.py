"""Submit a rendered HTML form as a browser would: every field with its current value."""

from __future__ import annotations

import html
from html.parser import HTMLParser

from werkzeug.datastructures import MultiDict


class _FormFields(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.fields: list[list[str]] = []
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "input" and a.get("name") and a.get("type") not in ("submit", "file"):
            if a.get("type") != "checkbox" or "checked" in a:
                self.fields.append([a["name"], a.get("value", "y")])
        elif tag == "textarea":
            self._textarea = a["name"]
            self.fields.append([a["name"], ""])
        elif tag == "select":
            self._select = a["name"]
        elif tag == "option" and self._select and "selected" in a:
            self.fields.append([self._select, a.get("value", "")])

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.fields[-1][1] += data


def form_values(page: str) -> MultiDict:
    """The values a browser would send for the forms on `page` (textareas unescaped)."""
    parser = _FormFields()
    parser.feed(page)
    return MultiDict(
        (name, html.unescape(value).removeprefix("\n")) for name, value in parser.fields
    )
