"""What the unit picker offers: groups first, then units, each with a search key folded to
plain ASCII so "mat tran" finds "Mặt trận" (and an alias finds its unit)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlmodel import Session

from tracker.units.queries import picker_options


def fold(text: str) -> str:
    """Lower case without diacritics: "Ủy ban Mặt trận" -> "uy ban mat tran"."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(plain.lower().split())


@dataclass(frozen=True)
class PickerEntry:
    value: str  # "g:<group id>" or "u:<unit id>", as the form posts it
    label: str
    search: str


def picker_entries(session: Session) -> list[PickerEntry]:
    groups, units, _members = picker_options(session)
    entries = [
        PickerEntry(
            f"g:{group.id}",
            _("Nhóm: %(name)s", name=group.name),
            fold(" ".join([group.name, group.code, *group.aliases])),
        )
        for group in groups
    ]
    entries += [
        PickerEntry(
            f"u:{unit.id}", unit.name, fold(" ".join([unit.name, unit.code, *unit.aliases]))
        )
        for unit in units
    ]
    return entries


def matches(search: str, words: list[str]) -> bool:
    """Every typed word (folded) is part of the entry's search key."""
    return all(word in search for word in words)


class PickerMarkup:
    """The picker's checkbox list, built once per page and stamped out per field: a 200-task
    draft has 400 pickers of some 50 units each, too many for a template loop (issue 14: the
    review screen of 200 tasks renders in under 1 s).

    Without JavaScript the list is the picker, so it is headed in two parts (groups, units)
    and `only` (the editor's "Lọc đơn vị" box, filtered on the server) narrows it to the
    entries whose name, code or alias holds every typed word; what is ticked always stays."""

    def __init__(self, entries: list[PickerEntry], only: str | None = None) -> None:
        self.entries = entries
        self.only = fold(only or "")
        words = self.only.split()
        self._parts = [
            (
                entry.value,
                str(escape(entry.value)),
                str(escape(entry.label)),
                entry.value.startswith("g:"),
                matches(entry.search, words),
            )
            for entry in entries
        ]
        self.search = {entry.value: entry.search for entry in entries}
        self.shown = sum(1 for part in self._parts if part[4])
        self._headings = (
            '<span class="picker-heading">' + escape(_("Nhóm đơn vị")) + "</span>",
            '<span class="picker-heading">' + escape(_("Đơn vị")) + "</span>",
        )

    def chosen(self, picks: list[str] | None) -> list[PickerEntry]:
        wanted = set(picks or [])
        return [entry for entry in self.entries if entry.value in wanted]

    def checkboxes(self, name: str, picks: list[str] | None) -> Markup:
        wanted, field = set(picks or []), str(escape(name))
        html: list[str] = []
        heading = None
        for raw, value, label, is_group, shown in self._parts:
            ticked = raw in wanted
            if not (shown or ticked):
                continue
            if heading is not is_group:
                heading = is_group
                html.append(self._headings[0 if is_group else 1])
            html.append(
                f'<label><input type="checkbox" name="{field}" value="{value}"'
                f"{' checked' if ticked else ''}> {label}</label>"
            )
        return Markup("".join(html))
