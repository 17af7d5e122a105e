"""Explanation requests (giải trình) answered from the chat: /giaitrinh lists the unit's open
requests with a button each; the button asks for the text, and a reply to a message carrying
one button answers at once. The answer goes through the web's service
(tracker.rollups.explanations.answer), so it shows on the web as if typed there."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from bots.conversation.changes import attempt, refusal_message
from bots.conversation.questions import QUESTION_LIFETIME, close_question
from bots.conversation.replies import Button, ButtonOutcome, Reply, esc, refusal
from bots.conversation.turn import Turn
from tracker.accounts.models import ChatLink, User
from tracker.assignments.models import Assignment
from tracker.errors import DomainError
from tracker.inputs import parse_id
from tracker.notices.models import Task
from tracker.notify.buttons import BUTTON_LABELS, Action, decode, encode
from tracker.notify.text import shorten
from tracker.permissions import can_work_for_a_unit
from tracker.rollups import explanations
from tracker.rollups.models import ExplanationRequest

ASK_EXPLANATION = "explanation"
ANSWER_EXAMPLE = "/giaitrinh 17 Chờ số liệu của các xã, hoàn thành trước 20/12"
MAX_LISTED = 10


def explanation_list(turn: Turn, user: User) -> list[Reply]:
    """The unit's unanswered requests, oldest first, each with its button."""
    if not can_work_for_a_unit(user) or user.unit_id is None:
        return [Reply("Tài khoản của bạn không nhận yêu cầu giải trình.")]
    rows = explanations.open_for_unit(turn.session, actor=user, unit_id=user.unit_id)
    if not rows:
        return [Reply("Đơn vị không có yêu cầu giải trình nào đang chờ.")]
    lines = [f"<b>Yêu cầu giải trình đang chờ</b> ({len(rows)}):"]
    buttons: list[tuple[Button, ...]] = []
    for number, (request, assignment, _unit) in enumerate(rows[:MAX_LISTED], 1):
        code, text = task_code_and_text(turn.session, assignment)
        lines.append("")
        lines.append(
            f"{number}. <b>{esc(code)}</b> {esc(shorten(text, 100))} (mã yêu cầu {request.id})"
        )
        lines.append(f"Yêu cầu ngày {_day(turn, request)}: {esc(shorten(request.message, 300))}")
        label = f"{number}. {BUTTON_LABELS[Action.EXPLAIN]} {shorten(code, 30)}"
        buttons.append((Button(label, encode(Action.EXPLAIN, request.id or 0)),))
    if len(rows) > MAX_LISTED:
        lines.append(f"\n… và {len(rows) - MAX_LISTED} yêu cầu khác: xem trên web.")
    if turn.channel == "telegram":
        lines.append("\nBấm nút rồi nhập nội dung, hoặc trả lời (reply) tin có một yêu cầu.")
    else:
        lines.append(f"\nTrả lời bằng: /giaitrinh mã-yêu-cầu nội dung, ví dụ: {ANSWER_EXAMPLE}")
    return [Reply("\n".join(lines), tuple(buttons))]


def ask_explanation(turn: Turn, link: ChatLink, request_id: int) -> ButtonOutcome:
    """The button: ask for the text of the answer (the question waits on the link)."""
    request = turn.session.get(ExplanationRequest, request_id)
    if request is None or request.answer is not None:
        return refusal("Yêu cầu này đã được giải trình hoặc không còn. Gửi /giaitrinh để xem.")
    link.pending_action, link.pending_assignment_id = ASK_EXPLANATION, request.assignment_id
    link.pending_until = turn.now + QUESTION_LIFETIME
    turn.session.add(link)
    return ButtonOutcome(
        "Mời nhập nội dung giải trình.",
        [
            Reply(
                f"Yêu cầu: {esc(shorten(request.message, 300))}\n"
                "Nhập nội dung giải trình (một tin nhắn). Gửi /huy để bỏ qua; câu hỏi mở trong "
                "30 phút."
            )
        ],
    )


def answer_open_question(turn: Turn, link: ChatLink, user: User, text: str) -> list[Reply]:
    """The text typed after the button: the answer to the assignment's open request."""
    request_id = turn.session.exec(
        select(ExplanationRequest.id).where(
            ExplanationRequest.assignment_id == (link.pending_assignment_id or 0),
            col(ExplanationRequest.answer).is_(None),
        )
    ).first()
    close_question(link)
    if request_id is None:
        return [Reply("Yêu cầu này vừa được giải trình ở nơi khác. Gửi /giaitrinh để xem.")]
    return answer_request(turn, user, request_id, text)


def requests_named(reply_buttons: tuple[str, ...]) -> list[int]:
    """The explanation requests a replied-to message names (its "Giải trình" buttons, or a
    quoted Zalo reminder's requests), in order."""
    found: list[int] = []
    for data in reply_buttons:
        press = decode(data)
        if (
            press is not None
            and press.action == Action.EXPLAIN
            and press.assignment_id not in found
        ):
            found.append(press.assignment_id)
    return found


def which_request(count: int, channel: str) -> list[Reply]:
    """A reply to a message naming several requests: which one does it answer?"""
    how = (
        "bấm nút “Giải trình” của yêu cầu bạn trả lời rồi nhập nội dung"
        if channel == "telegram"
        else "gửi /giaitrinh để xem từng yêu cầu"
    )
    return [
        Reply(
            f"Tin bạn trả lời có {count} yêu cầu giải trình: {how}. Nội dung vừa gửi chưa "
            "được ghi nhận."
        )
    ]


def answer_by_number(turn: Turn, user: User, argument: str) -> list[Reply]:
    """ "/giaitrinh 17 nội dung": the answer to request 17, typed in one message (Zalo has no
    buttons; Telegram may use it too)."""
    number, _, text = argument.partition(" ")
    request_id = parse_id(number.strip().lstrip("#"))
    if request_id is None or not text.strip():
        return [
            Reply(
                "Gõ /giaitrinh, dấu cách, mã yêu cầu (trong danh sách /giaitrinh), dấu cách, "
                f"rồi nội dung giải trình. Ví dụ: {esc(ANSWER_EXAMPLE)}"
            )
        ]
    return answer_request(turn, user, request_id, text.strip())


def answer_request(turn: Turn, user: User, request_id: int, text: str) -> list[Reply]:
    outcome = attempt(
        turn.session,
        lambda: explanations.answer(turn.session, actor=user, request_id=request_id, text=text),
    )
    if isinstance(outcome, DomainError):
        return [Reply(esc(refusal_message(outcome)))]
    assignment = turn.session.get(Assignment, outcome.assignment_id)
    code = task_code_and_text(turn.session, assignment)[0] if assignment else ""
    return [
        Reply(
            f"Đã gửi giải trình cho nhiệm vụ <b>{esc(code)}</b>:\n{esc(shorten(text, 500))}\n"
            "Lãnh đạo ban xem được trên web."
        )
    ]


def task_code_and_text(session: Session, assignment: Assignment) -> tuple[str, str]:
    task = session.get(Task, assignment.task_id)
    return (task.code, task.text) if task else ("", "")


def _day(turn: Turn, request: ExplanationRequest) -> str:
    at = request.requested_at
    return f"{at.astimezone(ZoneInfo(turn.settings.timezone)):%d/%m/%Y}"
