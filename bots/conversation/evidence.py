"""Files sent to the bot (photos, PDF, Word, Excel) become evidence of an assignment.

A reply to a reminder attaches them to the assignment it was about; otherwise the person
chooses from their open work, most urgent first (Telegram buttons, or the number in Zalo),
and the files wait until then (held_files). The caption becomes the report's note. The
files pass the web upload's checks (tracker.assignments.evidence) before anything is kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bots.conversation import held_files
from bots.conversation.changes import evidence_store, refusal_message, report, state_text
from bots.conversation.help_texts import how_to_link
from bots.conversation.questions import QUESTION_LIFETIME, close_question
from bots.conversation.replies import Button, ButtonOutcome, Reply, esc, refusal
from bots.conversation.turn import Turn, start_turn
from tracker.accounts.models import ChatLink, User
from tracker.assignments import queries
from tracker.assignments.access import load_assignment
from tracker.assignments.evidence import Upload
from tracker.assignments.models import AssignmentStatus
from tracker.chat import linking
from tracker.config import Settings
from tracker.errors import DomainError
from tracker.notify.buttons import Action, encode
from tracker.notify.text import shorten
from tracker.permissions import can_work_for_a_unit

ASK_EVIDENCE = "evidence"
MAX_CHOICES = 8
NOTHING_KEPT = "Chưa tệp nào được lưu."
OPEN_STATUSES = (AssignmentStatus.NOT_STARTED, AssignmentStatus.IN_PROGRESS)


@dataclass(frozen=True)
class IncomingFiles:
    """What one chat message brought: its files (fetched already) and what goes with them."""

    uploads: list[Upload]
    caption: str = ""
    # The assignments named by the message this one replies to (a reminder's buttons).
    about: tuple[int, ...] = ()
    # Telegram sends an album as one message per file, with the same media group id.
    group: str | None = None
    # Why the channel could not fetch a file, in words for the person (nothing is kept then).
    refused: str | None = None


def handle_files(
    session: Session,
    *,
    channel: str,
    external_id: str,
    incoming: IncomingFiles,
    now: datetime,
    settings: Settings,
) -> list[Reply]:
    """Attach the files, or ask which assignment they belong to (nothing kept if refused)."""
    turn = start_turn(session, channel, external_id, now, settings)
    found = linking.active_link(session, channel=channel, external_id=external_id)
    if found is None:
        return [Reply(how_to_link(turn))]
    link, user = found
    if incoming.refused:
        return [Reply(f"{esc(incoming.refused)}\n{NOTHING_KEPT}")]
    store = evidence_store(settings)
    held = held_files.load(store, link.id or 0, turn.now)
    if held is not None and incoming.group and held.group == incoming.group:
        return _add_to_album(turn, link, held, incoming)
    try:
        store.check(incoming.uploads)
    except DomainError as error:
        return [Reply(f"{esc(refusal_message(error))}\n{NOTHING_KEPT}")]
    close_question(link)
    held_files.drop(store, link.id or 0)
    if len(incoming.about) == 1:
        return _attach(turn, user, incoming.about[0], incoming.uploads, incoming.caption).replies
    return _offer_choices(turn, link, user, incoming)


def attach_chosen(turn: Turn, link: ChatLink, user: User, assignment_id: int) -> ButtonOutcome:
    """The person pressed the button of the assignment their held files belong to."""
    store = evidence_store(turn.settings)
    held = held_files.load(store, link.id or 0, turn.now)
    if held is None:
        return refusal("Các tệp đã gửi quá 30 phút hoặc đã được đính kèm. Gửi lại tệp để đính kèm.")
    replies = _attach(turn, user, assignment_id, held.uploads, held.caption)
    if replies.attached:
        held_files.drop(store, link.id or 0)
    return ButtonOutcome(shorten(replies.toast, 190), replies.replies)


def answer_choice(turn: Turn, link: ChatLink, user: User, text: str) -> list[Reply]:
    """The number of the assignment typed in answer (Zalo has no buttons)."""
    store = evidence_store(turn.settings)
    held = held_files.load(store, link.id or 0, turn.now)
    if held is None:
        close_question(link)
        return [Reply("Các tệp đã gửi quá 30 phút. Gửi lại tệp để đính kèm.")]
    number = text.strip().rstrip(".")
    if not (number.isascii() and number.isdigit() and 1 <= int(number) <= len(held.choices)):
        return [
            Reply(
                f"Nhập số thứ tự của nhiệm vụ (từ 1 đến {len(held.choices)}) để đính kèm "
                "các tệp vừa gửi, hoặc /huy để bỏ qua."
            )
        ]
    outcome = _attach(turn, user, held.choices[int(number) - 1], held.uploads, held.caption)
    if outcome.attached:
        close_question(link)
        held_files.drop(store, link.id or 0)
    return outcome.replies


@dataclass(frozen=True)
class _Attached(ButtonOutcome):
    attached: bool = False


def _attach(
    turn: Turn, user: User, assignment_id: int, uploads: list[Upload], caption: str
) -> _Attached:
    try:
        context = load_assignment(
            turn.session, actor=user, assignment_id=assignment_id, for_change=True
        )
    except DomainError as error:
        message = refusal_message(error)
        return _Attached(message, [Reply(f"{esc(message)}\n{NOTHING_KEPT}")])
    a = context.assignment
    note = caption.strip() or f"Gửi minh chứng qua {turn.channel_name}"
    outcome = report(turn, user, a, status=a.status, percent=a.percent, note=note, uploads=uploads)
    if isinstance(outcome, DomainError):
        message = refusal_message(outcome)
        return _Attached(message, [Reply(f"{esc(message)}\n{NOTHING_KEPT}")])
    names = "\n".join(f"• {esc(upload.filename)}" for upload in uploads)
    return _Attached(
        "Đã đính kèm minh chứng.",
        [
            Reply(
                f"Đã đính kèm <b>{len(uploads)} tệp</b> minh chứng:\n{names}\n"
                + (f"Ghi chú: {esc(caption.strip())}\n" if caption.strip() else "")
                + state_text(context, turn.today)
            )
        ],
        attached=True,
    )


def _add_to_album(
    turn: Turn, link: ChatLink, held: held_files.Held, incoming: IncomingFiles
) -> list[Reply]:
    """One more file of an album whose first file is waiting: kept with it, answered once."""
    store = evidence_store(turn.settings)
    uploads = held.uploads + incoming.uploads
    try:
        store.check(uploads)
    except DomainError as error:
        return [Reply(f"{esc(refusal_message(error))}\nTệp này chưa được lưu.")]
    caption = held.caption or incoming.caption
    held_files.hold(
        store,
        link.id or 0,
        held_files.Held(uploads, caption, held.group, held.choices, held.until),
    )
    return []


def _offer_choices(turn: Turn, link: ChatLink, user: User, incoming: IncomingFiles) -> list[Reply]:
    if not can_work_for_a_unit(user):
        return [Reply("Tài khoản của bạn không báo cáo nhiệm vụ nào nên không nhận minh chứng.")]
    rows = queries.list_unit_assignments(turn.session, actor=user, reference=turn.today)
    rows = [
        row
        for row in rows
        if row.assignment.status in OPEN_STATUSES
        and not row.is_support
        and (not incoming.about or row.assignment.id in incoming.about)
    ][:MAX_CHOICES]
    if not rows:
        return [Reply(f"Đơn vị của bạn không có nhiệm vụ nào đang mở để đính kèm. {NOTHING_KEPT}")]
    until = turn.now + QUESTION_LIFETIME
    choices = [row.assignment.id or 0 for row in rows]
    held_files.hold(
        evidence_store(turn.settings),
        link.id or 0,
        held_files.Held(incoming.uploads, incoming.caption, incoming.group, choices, until),
    )
    link.pending_action, link.pending_assignment_id, link.pending_until = ASK_EVIDENCE, None, until
    turn.session.add(link)
    lines = [f"Đã nhận {len(incoming.uploads)} tệp. Đính kèm vào nhiệm vụ nào?"]
    buttons: list[tuple[Button, ...]] = []
    for number, row in enumerate(rows, 1):
        a, task = row.assignment, row.task
        due = f" · hạn {a.due:%d/%m/%Y}" if a.due else ""
        lines.append(f"{number}. <b>{esc(task.code)}</b> {esc(shorten(task.text, 80))}{due}")
        label = f"{number}. {shorten(task.code, 40)}"
        buttons.append((Button(label, encode(Action.ATTACH_EVIDENCE, a.id or 0)),))
    if turn.channel == "telegram":
        lines.append("Bấm nút của nhiệm vụ (trong 30 phút).")
    else:
        lines.append("Trả lời bằng số thứ tự của nhiệm vụ (trong 30 phút).")
    return [Reply("\n".join(lines), tuple(buttons))]
