"""A text message: a command, a code to link the chat, or the answer to an open question."""

from __future__ import annotations

import re
from datetime import datetime

from sqlmodel import Session

from bots.conversation import held_files
from bots.conversation.changes import attempt, evidence_store, refusal_message
from bots.conversation.evidence import ASK_EVIDENCE, answer_choice
from bots.conversation.explanations import (
    ASK_EXPLANATION,
    answer_by_number,
    answer_open_question,
    answer_request,
    explanation_list,
    requests_named,
    which_request,
)
from bots.conversation.help_texts import COMMANDS_HELP, HELP_TEXT, how_to_link, stray_text
from bots.conversation.questions import answer, close_question, open_question
from bots.conversation.replies import Reply, esc
from bots.conversation.turn import Turn, start_turn
from bots.conversation.work_lists import work_list
from tracker.accounts.models import ChatLink, User
from tracker.chat import linking
from tracker.config import Settings
from tracker.errors import DomainError
from tracker.units.models import Unit

_COMMAND = re.compile(r"^/(\w+)(?:@\w+)?(?:\s+(.*))?$", re.DOTALL)


def handle_text(
    session: Session,
    *,
    channel: str,
    external_id: str,
    text: str,
    now: datetime,
    settings: Settings,
    reply_buttons: tuple[str, ...] = (),
) -> list[Reply]:
    """Answer one text message: a command, a code to link, the answer to our question, or a
    reply to one of our messages (`reply_buttons`: the callback data of its buttons)."""
    turn = start_turn(session, channel, external_id, now, settings)
    text = (text or "").strip()
    command, argument = _parse_command(text)
    found = linking.active_link(session, channel=channel, external_id=external_id)
    if command == "start" and argument:
        return _link(turn, argument)
    if found is None:
        if command is None and linking.looks_like_code(text):
            return _link(turn, text)
        if command in ("trogiup", "help"):
            return [Reply(HELP_TEXT + "\n\n" + how_to_link(turn))]
        return [Reply(how_to_link(turn))]
    link, user = found
    question = open_question(link, turn.now)
    if command is not None:
        return _command_declining_question(turn, link, user, command, argument, question)
    if link.pending_action and not question:
        close_question(link)
        return [
            Reply(
                "Câu hỏi trước đã hết hạn (sau 30 phút). Bấm lại nút dưới tin nhắc việc "
                "hoặc gửi /viec để chọn nhiệm vụ."
            )
        ]
    named = requests_named(reply_buttons) if command is None else []
    if len(named) == 1:
        close_question(link)
        return answer_request(turn, user, named[0], text)
    if len(named) > 1:
        return which_request(len(named), turn.channel)
    if question == ASK_EXPLANATION:
        return answer_open_question(turn, link, user, text)
    if question == ASK_EVIDENCE:
        return answer_choice(turn, link, user, text)
    if question:
        return answer(turn, link, user, question, text)
    if linking.looks_like_code(text):
        return _link(turn, text)
    return [Reply(stray_text(text))]


def _command_declining_question(
    turn: Turn,
    link: ChatLink,
    user: User,
    command: str,
    argument: str,
    question: str | None,
) -> list[Reply]:
    """Run a command; a question waiting for an answer is closed first (/huy then only that)."""
    if link.pending_action:
        if link.pending_action == ASK_EVIDENCE:
            # The files waiting for a choice go with the question (a command declines it).
            held_files.drop(evidence_store(turn.settings), link.id or 0)
        close_question(link)
        if command == "huy" and question:
            return [
                Reply(
                    "Đã bỏ câu hỏi đang chờ. Gửi /huy lần nữa nếu bạn muốn hủy liên kết "
                    f"{turn.channel_name} với Đôn Đốc."
                )
            ]
    return _command(turn, user, command, argument)


def _parse_command(text: str) -> tuple[str | None, str]:
    match = _COMMAND.match(text)
    if match is None:
        return None, ""
    return match.group(1).lower(), (match.group(2) or "").strip()


def _link(turn: Turn, code: str) -> list[Reply]:
    outcome = attempt(
        turn.session,
        lambda: linking.link_account(
            turn.session,
            code=code,
            channel=turn.channel,
            external_id=turn.external_id,
            now=turn.now,
        ),
    )
    if isinstance(outcome, DomainError):
        return [Reply(esc(refusal_message(outcome)))]
    user = outcome
    unit = turn.session.get(Unit, user.unit_id) if user.unit_id else None
    where = f" ({esc(unit.name)})" if unit else ""
    return [
        Reply(
            f"Xin chào <b>{esc(user.full_name)}</b>{where}!\n"
            f"Tài khoản {turn.channel_name} này đã được liên kết với Đôn Đốc: nhắc việc sẽ "
            "được gửi tới đây.\n\n" + HELP_TEXT
        )
    ]


def _command(turn: Turn, user: User, command: str, argument: str = "") -> list[Reply]:
    if command == "viec":
        return work_list(turn, user, overdue_only=False)
    if command == "giaitrinh" and argument:
        return answer_by_number(turn, user, argument)
    if command == "giaitrinh":
        return explanation_list(turn, user)
    if command == "quahan":
        return work_list(turn, user, overdue_only=True)
    if command == "huy":
        linking.unlink(
            turn.session, channel=turn.channel, external_id=turn.external_id, now=turn.now
        )
        return [
            Reply(
                f"Đã hủy liên kết: tài khoản {turn.channel_name} này sẽ không nhận nhắc việc nữa.\n"
                "Muốn liên kết lại: lấy mã mới trên trang Hồ sơ cá nhân "
                f"({esc(turn.settings.base_url)}/ho-so) rồi gửi mã vào đây."
            )
        ]
    if command in ("trogiup", "help", "start"):
        return [Reply(f"Xin chào <b>{esc(user.full_name)}</b>.\n" + HELP_TEXT)]
    return [Reply(f"Không có lệnh /{esc(command)}. Các lệnh dùng được:\n{COMMANDS_HELP}")]
