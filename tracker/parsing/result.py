"""What a parse returns, and its JSON form (../shared/docs/parse-format.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


@dataclass
class ParsedTask:
    """One task as the contract describes it, plus its own warnings."""

    code: str
    group_title: str | None
    text: str
    lead: list[str]
    support: list[str]
    due: date | None
    recurrence: str | None
    needs_review: bool
    warnings: list[str] = field(default_factory=list)
    # Names the text gave that the directory does not know: {"name": ..., "role": "lead"}.
    unresolved: list[dict[str, str]] = field(default_factory=list)

    def to_json_dict(self) -> dict[str, Any]:
        """The contract's task object; `warnings` and `unresolved` are extra fields."""
        return {
            "code": self.code,
            "group_title": self.group_title,
            "text": self.text,
            "lead": sorted(self.lead),
            "support": sorted(self.support),
            "due": _iso(self.due),
            "recurrence": self.recurrence,
            "needs_review": self.needs_review,
            "warnings": list(self.warnings),
            "unresolved": [dict(item) for item in self.unresolved],
        }


@dataclass
class ParseResult:
    """A parsed notice: its head, its tasks and every warning."""

    source: str
    kind: str
    doc_type: str
    number: str | None
    title: str | None
    issuer: str | None
    issued_on: date | None
    period: str | None
    default_due: date | None
    tasks: list[ParsedTask]
    warnings: list[str]

    def to_json_dict(self) -> dict[str, Any]:
        """Exactly the contract's JSON document."""
        return {
            "source": self.source,
            "kind": self.kind,
            "doc_type": self.doc_type,
            "number": self.number,
            "title": self.title,
            "issuer": self.issuer,
            "issued_on": _iso(self.issued_on),
            "period": self.period,
            "default_due": _iso(self.default_due),
            "tasks": [task.to_json_dict() for task in self.tasks],
            "warnings": list(self.warnings),
        }
