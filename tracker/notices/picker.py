"""What the unit picker offers: groups first, then units, each with a search key folded to
plain ASCII so "mat tran" finds "Mặt trận" (and an alias finds its unit)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlmodel import Session

from tracker.units.service import picker_options


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
