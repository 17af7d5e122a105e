"""Button presses under a reminder or a list: done at once, or a question to answer."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bots.conversation.changes import refusal_message, report, state_text
from bots.conversation.evidence import attach_chosen
from bots.conversation.explanations import ask_explanation
from bots.conversation.help_texts import how_to_link
from bots.conversation.questions import ask, close_question
from bots.conversation.replies import ButtonOutcome, Reply, esc, on_day, refusal
from bots.conversation.turn import Turn, start_turn
from tracker.accounts.models import User
from tracker.assignments.access import AssignmentContext, load_assignment
from tracker.assignments.models import AssignmentStatus
from tracker.chat import linking
from tracker.config import Settings
from tracker.errors import DomainError
from tracker.notify.buttons import Action, decode


def handle_button(
    session: Session,
    *,
    channel: str,
    external_id: str,
    data: str,
    now: datetime,
    settings: Settings,
) -> ButtonOutcome:
    """Answer a button press under a reminder or a list: done now, or ask for % / a new date."""
    turn = start_turn(session, channel, external_id, now, settings)
    press = decode(data)
    if press is None:
        return ButtonOutcome(
            "Nút này không còn dùng được.",
            [Reply("Nút này đã cũ hoặc không hợp lệ. Gửi /viec để xem danh sách mới.")],
        )
    found = linking.active_link(session, channel=channel, external_id=external_id)
    if found is None:
        return ButtonOutcome("Tài khoản chưa liên kết.", [Reply(how_to_link(turn))])
    link, user = found
    close_question(link)  # a new press replaces any question still open
    if press.action == Action.EXPLAIN:
        return ask_explanation(turn, link, press.assignment_id)
    if press.action == Action.ATTACH_EVIDENCE:
        return attach_chosen(turn, link, user, press.assignment_id)
    try:
        context = load_assignment(
            session, actor=user, assignment_id=press.assignment_id, for_change=True
        )
    except DomainError as error:
        return refusal(refusal_message(error))
    if press.action == Action.DONE:
        return _done(turn, user, context)
    return ask(turn, link, context, press.action)


def _done(turn: Turn, user: User, context: AssignmentContext) -> ButtonOutcome:
    a = context.assignment
    if a.status == AssignmentStatus.DONE:
        return ButtonOutcome(
            "Nhiệm vụ đã hoàn thành từ trước.",
            [
                Reply(
                    f"Nhiệm vụ <b>{esc(context.task.code)}</b> đã được báo hoàn thành"
                    f"{on_day(a.completed_on)}. Không cần báo lại."
                )
            ],
        )
    outcome = report(
        turn,
        user,
        a,
        status=AssignmentStatus.DONE,
        percent=100,
        note=f"Báo hoàn thành qua {turn.channel_name}",
    )
    if isinstance(outcome, DomainError):
        return refusal(refusal_message(outcome))
    return ButtonOutcome(
        "Đã ghi nhận hoàn thành.",
        [Reply("Đã ghi nhận <b>hoàn thành</b>.\n" + state_text(context, turn.today))],
    )
