"""The buttons under a reminder, as callback data (Telegram allows at most 64 bytes)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from tracker.errors import N_
from tracker.inputs import parse_id

MAX_CALLBACK_BYTES = 64


class Action(StrEnum):
    DONE = "done"
    REPORT_PERCENT = "pct"
    ASK_EXTENSION = "ext"
    # Attach the files the person just sent (held until they choose) to this assignment.
    ATTACH_EVIDENCE = "evi"
    # Answer this explanation request (the id is the request's, not an assignment's).
    EXPLAIN = "exp"


BUTTON_LABELS: dict[Action, str] = {
    Action.DONE: N_("Hoàn thành"),
    Action.REPORT_PERCENT: N_("Báo cáo %"),
    Action.ASK_EXTENSION: N_("Xin gia hạn"),
    Action.ATTACH_EVIDENCE: N_("Đính kèm vào đây"),
    Action.EXPLAIN: N_("Giải trình"),
}


@dataclass(frozen=True)
class Button:
    """One chat button, whatever the channel: its label (plain text) and callback data."""

    label: str
    data: str  # `encode(...)`, under 64 bytes


# The three things a person does with a piece of work from the chat, in button order.
WORK_ACTIONS = (Action.DONE, Action.REPORT_PERCENT, Action.ASK_EXTENSION)


def work_buttons(
    assignment_id: int, *, name: str = "", on_each: bool = False
) -> tuple[Button, ...]:
    """The buttons under one piece of work: done, report %, ask for more time. `name` says
    which work: on the first button only (a reminder: "1.2 · Hoàn thành") or, in a numbered
    list, on each (`on_each`: "2. Báo cáo %")."""
    return tuple(
        Button(
            f"{name}{BUTTON_LABELS[action]}" if on_each or index == 0 else BUTTON_LABELS[action],
            encode(action, assignment_id),
        )
        for index, action in enumerate(WORK_ACTIONS)
    )


def explanation_button(request_id: int, *, name: str = "") -> Button:
    """The button that answers one explanation request ("1.2 · Giải trình")."""
    return Button(f"{name}{BUTTON_LABELS[Action.EXPLAIN]}", encode(Action.EXPLAIN, request_id))


@dataclass(frozen=True)
class ButtonPress:
    action: Action
    assignment_id: int  # for Action.EXPLAIN: the explanation request's id


def encode(action: Action, assignment_id: int) -> str:
    """`action:id`, e.g. "done:1234"; well under Telegram's 64 bytes."""
    data = f"{action.value}:{assignment_id}"
    assert len(data.encode()) <= MAX_CALLBACK_BYTES
    return data


def decode(data: str) -> ButtonPress | None:
    """The press, or None for anything we did not send (old or forged buttons)."""
    action, _, raw_id = (data or "").partition(":")
    assignment_id = parse_id(raw_id)
    if action not in {a.value for a in Action} or assignment_id is None:
        return None
    return ButtonPress(Action(action), assignment_id)


# The buttons whose id is an assignment's (EXPLAIN names a request, ATTACH_EVIDENCE a choice).
ASSIGNMENT_ACTIONS = frozenset({Action.DONE, Action.REPORT_PERCENT, Action.ASK_EXTENSION})


def assignments_named(buttons: Iterable[str]) -> tuple[int, ...]:
    """The assignments a message's buttons name (a reminder names its own), in order."""
    found: list[int] = []
    for data in buttons:
        press = decode(data)
        known = press is not None and press.action in ASSIGNMENT_ACTIONS
        if known and press is not None and press.assignment_id not in found:
            found.append(press.assignment_id)
    return tuple(found)
