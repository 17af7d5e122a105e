"""The questions a button asks (the percent done, or a new due date) and their answers.

The question waits on the chat link, so the person's next text is read as its answer.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlmodel import select

from bots.conversation.changes import change, refusal_message, report, state_text
from bots.conversation.replies import ButtonOutcome, Reply, esc, on_day, refusal
from bots.conversation.turn import Turn
from tracker.accounts.models import ChatLink, User
from tracker.assignments import extensions
from tracker.assignments.access import AssignmentContext, load_assignment
from tracker.assignments.models import AssignmentStatus, ExtensionRequest, ExtensionStatus
from tracker.errors import DomainError, NotFound, PermissionDenied
from tracker.fields import parse_vn_date
from tracker.notify.buttons import Action
from tracker.notify.text import shorten
from tracker.vn_dates import vn_date

ASK_PERCENT = "report_percent"
ASK_EXTENSION = "extension"
QUESTION_LIFETIME = timedelta(minutes=30)
PERCENT_EXAMPLE = "60 Đã tổ chức hội nghị triển khai"
REASON_EXAMPLE = "Chờ số liệu tổng hợp từ các huyện"
_PERCENT = re.compile(r"^(\d+)(?:\s*%|(?=\s|$))\s*(.*)$", re.DOTALL)


def open_question(link: ChatLink, now: datetime) -> str | None:
    """The question waiting for an answer, unless it expired."""
    if not link.pending_action or link.pending_until is None:
        return None
    return link.pending_action if link.pending_until > now else None


def close_question(link: ChatLink) -> None:
    """Forget the question waiting on the link, answered or not."""
    link.pending_action = link.pending_assignment_id = link.pending_until = None


def ask(turn: Turn, link: ChatLink, context: AssignmentContext, action: Action) -> ButtonOutcome:
    """Ask for the percent done or a new due date, unless the assignment cannot take one."""
    a, code = context.assignment, esc(context.task.code)
    if a.status == AssignmentStatus.CANCELLED:
        return refusal("Nhiệm vụ đã được hủy nên không nhận báo cáo hay đề nghị gia hạn.")
    if a.status == AssignmentStatus.DONE:
        return refusal(
            f"Nhiệm vụ đã hoàn thành{on_day(a.completed_on)}. Nếu cần mở lại, cập nhật trên web."
        )
    if action == Action.REPORT_PERCENT:
        pending, question = (
            ASK_PERCENT,
            (f"Nhập tiến độ (%) và ghi chú cho nhiệm vụ {code}, ví dụ: {PERCENT_EXAMPLE}"),
        )
    else:
        waiting = turn.session.exec(
            select(ExtensionRequest.id).where(
                ExtensionRequest.assignment_id == a.id,
                ExtensionRequest.status == ExtensionStatus.PENDING,
            )
        ).first()
        if waiting is not None:
            return refusal("Nhiệm vụ này đã có đề nghị gia hạn đang chờ quyết định.")
        example = max(a.due or turn.today, turn.today) + timedelta(days=30)
        current = f"Hạn hiện tại: {vn_date(a.due)}.\n" if a.due else ""
        pending, question = (
            ASK_EXTENSION,
            (
                f"{current}Nhập hạn mới (dd/mm/yyyy) và lý do, ví dụ: "
                f"{vn_date(example)} {REASON_EXAMPLE}"
            ),
        )
    link.pending_action, link.pending_assignment_id = pending, a.id
    link.pending_until = turn.now + QUESTION_LIFETIME
    turn.session.add(link)
    return ButtonOutcome(
        "Mời nhập câu trả lời.",
        [
            Reply(
                f"<b>{code}</b> {esc(shorten(context.task.text, 140))}\n{question}\n"
                "(Gửi /huy để bỏ qua; câu hỏi mở trong 30 phút.)"
            )
        ],
    )


def answer(turn: Turn, link: ChatLink, user: User, question: str, text: str) -> list[Reply]:
    """Read the text as the answer to the open question and record it."""
    try:
        context = load_assignment(
            turn.session, actor=user, assignment_id=link.pending_assignment_id or 0, for_change=True
        )
    except DomainError as error:
        close_question(link)
        return [Reply(esc(refusal_message(error)))]
    if question == ASK_PERCENT:
        return _answer_percent(turn, link, user, context, text)
    return _answer_extension(turn, link, user, context, text)


def _answer_percent(
    turn: Turn, link: ChatLink, user: User, context: AssignmentContext, text: str
) -> list[Reply]:
    a = context.assignment
    again = f"Nhập lại, ví dụ: {PERCENT_EXAMPLE}"
    match = _PERCENT.match(text)
    if match is None:
        return [Reply(f"Chưa đọc được số phần trăm (một số nguyên từ 0 đến 100). {again}")]
    percent, note = int(match.group(1)), match.group(2).strip()
    if percent > 100:
        return [Reply(f"Tiến độ phải từ 0 đến 100%, bạn nhập {percent}%. {again}")]
    if percent == 100:
        status = AssignmentStatus.DONE
    elif percent == 0 and a.status == AssignmentStatus.NOT_STARTED:
        status = AssignmentStatus.NOT_STARTED
    else:
        status = AssignmentStatus.IN_PROGRESS
    outcome = report(turn, user, a, status=status, percent=percent, note=note)
    if isinstance(outcome, DomainError):
        return [_refused_answer(link, outcome, again)]
    close_question(link)
    noted = f"\nGhi chú: {esc(note)}" if note else ""
    return [
        Reply(f"Đã ghi nhận tiến độ <b>{percent}%</b>.\n{state_text(context, turn.today)}{noted}")
    ]


def _answer_extension(
    turn: Turn, link: ChatLink, user: User, context: AssignmentContext, text: str
) -> list[Reply]:
    a, today = context.assignment, turn.today
    example = max(a.due or today, today) + timedelta(days=30)
    again = f"Nhập lại, ví dụ: {vn_date(example)} {REASON_EXAMPLE}"
    token, _, reason = text.partition(" ")
    token, reason = token.strip().rstrip(",;:"), reason.strip()
    if not any(ch.isdigit() for ch in token):
        return [Reply(f"Chưa có hạn mới. Nhập ngày (dd/mm/yyyy) trước, rồi lý do. {again}")]
    requested = parse_vn_date(token)
    if requested is None:
        return [Reply(f"Ngày {esc(token)} không có thật hoặc sai dạng (dd/mm/yyyy). {again}")]
    if requested < today:
        return [
            Reply(
                f"Ngày {vn_date(requested)} đã qua (hôm nay là {vn_date(today)}); hạn mới phải "
                f"sau hôm nay. {again}"
            )
        ]
    if a.due is not None and requested <= a.due:
        return [Reply(f"Hạn mới phải sau hạn hiện tại ({vn_date(a.due)}). {again}")]
    if not reason:
        return [Reply(f"Chưa có lý do xin gia hạn: ghi lý do sau ngày. {again}")]
    outcome = change(
        turn, user, a, extensions.request_extension, requested_due=requested, reason=reason
    )
    if isinstance(outcome, DomainError):
        return [_refused_answer(link, outcome, again)]
    close_question(link)
    current = f" (hạn hiện tại {vn_date(a.due)})" if a.due else ""
    return [
        Reply(
            f"Đã gửi đề nghị gia hạn nhiệm vụ <b>{esc(context.task.code)}</b> đến "
            f"<b>{vn_date(requested)}</b>{current}.\nLý do: {esc(reason)}\n"
            "Bạn sẽ được báo khi có quyết định."
        )
    ]


def _refused_answer(link: ChatLink, error: DomainError, again: str) -> Reply:
    """A refused answer: the question stays open unless the task is no longer theirs."""
    if isinstance(error, (PermissionDenied, NotFound)):
        close_question(link)
        return Reply(esc(refusal_message(error)))
    return Reply(f"{esc(refusal_message(error))} {again}")
