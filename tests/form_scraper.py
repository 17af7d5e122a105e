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
        self._multiple = False
        self._options: list[tuple[str, bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "input" and a.get("name") and a.get("type") not in ("submit", "file"):
            if a.get("type") != "checkbox" or "checked" in a:
                self.fields.append([a["name"], a.get("value", "y")])
        elif tag == "textarea":
            self._textarea = a["name"]
            self.fields.append([a["name"], ""])
        elif tag == "select":
            self._select, self._multiple, self._options = a["name"], "multiple" in a, []
        elif tag == "option" and self._select:
            self._options.append((a.get("value", ""), "selected" in a))

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select:
            chosen = [value for value, selected in self._options if selected]
            if not chosen and not self._multiple and self._options:
                chosen = [self._options[0][0]]  # a browser sends the first option
            self.fields += [[self._select, value] for value in chosen]
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
