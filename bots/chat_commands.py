"""The conversation with a person in a chat, independent of the channel (Telegram; Zalo text).

Handlers keep the views' order: find who writes, parse, call the same service the web calls,
render the reply. The caller owns the unit of work and commits after we return. A change a
service refuses is rolled back to a savepoint taken just before it, so the refusal can still be
sent and whatever else the update did (a question kept open) commits without half a change.
Every text is Telegram HTML with anything from the database or the person escaped.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from tracker.accounts.models import ChatLink, User
from tracker.assignments import extensions, progress, service
from tracker.assignments.access import AssignmentContext, load_assignment
from tracker.assignments.evidence import EvidenceStore
from tracker.assignments.models import (
    Assignment,
    AssignmentStatus,
    ExtensionRequest,
    ExtensionStatus,
)
from tracker.assignments.status import CATEGORY_LABELS, Category
from tracker.chat import linking
from tracker.chat.actions import BUTTON_LABELS, Action, decode, encode
from tracker.config import Settings
from tracker.errors import DomainError, NotFound, PermissionDenied, StaleUpdate
from tracker.fields import parse_vn_date
from tracker.notify.text import split_message
from tracker.permissions import can_view_all_assignments, can_work_for_a_unit
from tracker.units.models import Unit

log = logging.getLogger(__name__)

T = TypeVar("T")

ASK_PERCENT = "report_percent"
ASK_EXTENSION = "extension"
QUESTION_LIFETIME = timedelta(minutes=30)
OPEN_STATUSES = (AssignmentStatus.NOT_STARTED, AssignmentStatus.IN_PROGRESS)
MAX_LISTED = 30
MAX_BUTTON_ROWS = 10
TOAST_LIMIT = 190
CHANNEL_NAMES = {"telegram": "Telegram", "zalo": "Zalo"}
PERCENT_EXAMPLE = "60 Đã tổ chức hội nghị triển khai"
REASON_EXAMPLE = "Chờ số liệu tổng hợp từ các huyện"
COMMANDS_HELP = (
    "/viec: nhiệm vụ đang mở\n"
    "/quahan: nhiệm vụ quá hạn\n"
    "/huy: hủy liên kết, ngừng nhận nhắc việc tại đây\n"
    "/trogiup: hướng dẫn"
)
_COMMAND = re.compile(r"^/(\w+)(?:@\w+)?(?:\s+(.*))?$", re.DOTALL)
_PERCENT = re.compile(r"^(\d+)(?:\s*%|(?=\s|$))\s*(.*)$", re.DOTALL)


@dataclass(frozen=True)
class Button:
    label: str  # plain text
    data: str  # callback data (tracker.chat.actions), under 64 bytes


@dataclass(frozen=True)
class Reply:
    text: str  # Telegram HTML, already escaped
    buttons: tuple[tuple[Button, ...], ...] = ()


@dataclass(frozen=True)
class ButtonOutcome:
    toast: str  # plain text for answerCallbackQuery
    replies: list[Reply] = field(default_factory=list)


@dataclass(frozen=True)
class _Turn:
    session: Session
    channel: str
    external_id: str
    now: datetime  # UTC
    settings: Settings

    @property
    def today(self) -> date:
        return self.now.astimezone(ZoneInfo(self.settings.timezone)).date()

    @property
    def channel_name(self) -> str:
        return CHANNEL_NAMES.get(self.channel, self.channel)


def esc(value: object) -> str:
    """Text from the database or the person, safe inside Telegram HTML."""
    return html.escape(str(value))


def item_buttons(assignment_id: int, *, prefix: str = "") -> tuple[Button, ...]:
    """The three buttons under a reminder or a list item (prefix: the item's number)."""
    start = f"{prefix}. " if prefix else ""
    return tuple(
        Button(f"{start}{BUTTON_LABELS[action]}", encode(action, assignment_id))
        for action in (Action.DONE, Action.REPORT_PERCENT, Action.ASK_EXTENSION)
    )


def handle_text(
    session: Session,
    *,
    channel: str,
    external_id: str,
    text: str,
    now: datetime,
    settings: Settings,
) -> list[Reply]:
    """Answer one text message: a command, a code to link, or the answer to our question."""
    turn = _turn(session, channel, external_id, now, settings)
    text = (text or "").strip()
    command, argument = _parse_command(text)
    found = linking.active_link(session, channel=channel, external_id=external_id)
    if command == "start" and argument:
        return _link(turn, argument)
    if found is None:
        if command is None and linking.looks_like_code(text):
            return _link(turn, text)
        if command in ("trogiup", "help"):
            return [Reply(_help_text(turn) + "\n\n" + _how_to_link(turn))]
        return [Reply(_how_to_link(turn))]
    link, user = found
    question = _open_question(link, turn.now)
    if command is not None:
        if link.pending_action:
            _close_question(link)
            if command == "huy" and question:
                return [
                    Reply(
                        "Đã bỏ câu hỏi đang chờ. Gửi /huy lần nữa nếu bạn muốn hủy liên kết "
                        f"{turn.channel_name} với Đôn Đốc."
                    )
                ]
        return _command(turn, user, command)
    if link.pending_action and not question:
        _close_question(link)
        return [
            Reply(
                "Câu hỏi trước đã hết hạn (sau 30 phút). Bấm lại nút dưới tin nhắc việc "
                "hoặc gửi /viec để chọn nhiệm vụ."
            )
        ]
    if question:
        return _answer(turn, link, user, question, text)
    if linking.looks_like_code(text):
        return _link(turn, text)
    return [Reply(_stray_text(text))]


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
    turn = _turn(session, channel, external_id, now, settings)
    press = decode(data)
    if press is None:
        return ButtonOutcome(
            "Nút này không còn dùng được.",
            [Reply("Nút này đã cũ hoặc không hợp lệ. Gửi /viec để xem danh sách mới.")],
        )
    found = linking.active_link(session, channel=channel, external_id=external_id)
    if found is None:
        return ButtonOutcome("Tài khoản chưa liên kết.", [Reply(_how_to_link(turn))])
    link, user = found
    _close_question(link)  # a new press replaces any question still open
    try:
        context = load_assignment(
            session, actor=user, assignment_id=press.assignment_id, for_change=True
        )
    except DomainError as error:
        return _refused(error)
    if press.action == Action.DONE:
        return _done(turn, user, context)
    return _ask(turn, link, context, press.action)


# -- linking ------------------------------------------------------------------------------


def _link(turn: _Turn, code: str) -> list[Reply]:
    outcome = _attempt(
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
        return [Reply(esc(_message(outcome)))]
    user = outcome
    unit = turn.session.get(Unit, user.unit_id) if user.unit_id else None
    where = f" ({esc(unit.name)})" if unit else ""
    return [
        Reply(
            f"Xin chào <b>{esc(user.full_name)}</b>{where}!\n"
            f"Tài khoản {turn.channel_name} này đã được liên kết với Đôn Đốc: nhắc việc sẽ "
            "được gửi tới đây.\n\n" + _help_text(turn)
        )
    ]


def _how_to_link(turn: _Turn) -> str:
    start = " /start MÃ hoặc chỉ" if turn.channel == "telegram" else ""
    return (
        f"Tài khoản {turn.channel_name} này chưa liên kết với Đôn Đốc.\n"
        f"Để liên kết: đăng nhập Đôn Đốc trên web ({esc(turn.settings.base_url)}/ho-so), "
        "mở trang <b>Hồ sơ cá nhân</b>, bấm <b>Lấy mã liên kết</b>, rồi gửi"
        f"{start} mã đó vào đây. Mã dùng được một lần, trong 15 phút."
    )


def _help_text(turn: _Turn) -> str:
    return (
        "<b>Đôn Đốc</b> nhắc việc và nhận báo cáo tiến độ.\n"
        f"{COMMANDS_HELP}\n"
        "Dưới mỗi tin nhắc việc có các nút: Hoàn thành, Báo cáo %, Xin gia hạn."
    )


def _stray_text(text: str) -> str:
    hint = ""
    if text[:1].isdigit():
        hint = (
            "Muốn báo cáo tiến độ hay xin gia hạn? Bấm nút “Báo cáo %” hoặc “Xin gia hạn” "
            "dưới tin nhắc việc (hoặc trong /viec) trước, rồi mới nhập.\n"
        )
    return f"Đôn Đốc chưa hiểu tin nhắn này.\n{hint}Các lệnh dùng được:\n{COMMANDS_HELP}"


# -- commands -----------------------------------------------------------------------------


def _command(turn: _Turn, user: User, command: str) -> list[Reply]:
    if command == "viec":
        return _work_list(turn, user, overdue_only=False)
    if command == "quahan":
        return _work_list(turn, user, overdue_only=True)
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
        return [Reply(f"Xin chào <b>{esc(user.full_name)}</b>.\n" + _help_text(turn))]
    return [Reply(f"Không có lệnh /{esc(command)}. Các lệnh dùng được:\n{COMMANDS_HELP}")]


def _work_list(turn: _Turn, user: User, *, overdue_only: bool) -> list[Reply]:
    today = turn.today
    if not can_work_for_a_unit(user):
        if not can_view_all_assignments(user):
            return [Reply("Tài khoản của bạn không theo dõi nhiệm vụ nào.")]
        counts = service.count_by_category(turn.session, actor=user, reference=today)
        web = f"Xem chi tiết trên web: {esc(turn.settings.base_url)}/"
        if overdue_only:
            return [
                Reply(
                    f"Quá hạn chưa hoàn thành: <b>{counts[Category.OVERDUE]}</b> nhiệm vụ "
                    f"(tính đến {today:%d/%m/%Y}).\n{web}"
                )
            ]
        return [
            Reply(
                f"Nhiệm vụ đang mở (tính đến {today:%d/%m/%Y}):\n"
                f"Đang thực hiện trong hạn: <b>{counts[Category.IN_PROGRESS]}</b>\n"
                f"Chưa triển khai: <b>{counts[Category.NOT_STARTED]}</b>\n"
                f"Quá hạn chưa hoàn thành: <b>{counts[Category.OVERDUE]}</b>\n{web}"
            )
        ]
    rows = service.list_unit_assignments(
        turn.session,
        actor=user,
        reference=today,
        filters=service.UnitFilters(overdue_only=overdue_only),
    )
    rows = [row for row in rows if row.assignment.status in OPEN_STATUSES]
    unit = turn.session.get(Unit, user.unit_id)
    title = "Nhiệm vụ quá hạn" if overdue_only else "Nhiệm vụ đang mở"
    owner = esc(unit.name if unit else "")
    if not rows:
        none = "không có nhiệm vụ nào quá hạn" if overdue_only else "không có nhiệm vụ nào đang mở"
        return [Reply(f"{owner}: {none} (tính đến {today:%d/%m/%Y}).")]
    lines = [f"<b>{title} của {owner}</b> ({len(rows)}, tính đến {today:%d/%m/%Y}):"]
    rows_of_buttons: list[tuple[Button, ...]] = []
    for number, row in enumerate(rows[:MAX_LISTED], 1):
        a, task = row.assignment, row.task
        link = f'<a href="{esc(turn.settings.base_url)}/nhiem-vu/{a.id}">{esc(task.code)}</a>'
        due = f"hạn {a.due:%d/%m/%Y}" if a.due else "chưa có hạn"
        support = " · phối hợp" if row.is_support else ""
        lines.append("")
        lines.append(f"{number}. <b>{link}</b> {esc(_shorten(task.text, 140))}")
        lines.append(f"{due} · {CATEGORY_LABELS[row.category]} · {a.percent}%{support}")
        if not row.is_support and len(rows_of_buttons) < MAX_BUTTON_ROWS:
            rows_of_buttons.append(item_buttons(a.id or 0, prefix=str(number)))
    if len(rows) > MAX_LISTED:
        lines.append("")
        lines.append(
            f"… và {len(rows) - MAX_LISTED} nhiệm vụ khác: xem trên web "
            f"{esc(turn.settings.base_url)}/don-vi"
        )
    if rows_of_buttons:
        lines.append("")
        lines.append("Bấm nút theo số thứ tự để báo hoàn thành, báo cáo % hoặc xin gia hạn.")
    parts = split_message("\n".join(lines))
    replies = [Reply(part) for part in parts]
    replies[-1] = Reply(parts[-1], tuple(rows_of_buttons))
    return replies


# -- buttons and the questions they ask ---------------------------------------------------


def _done(turn: _Turn, user: User, context: AssignmentContext) -> ButtonOutcome:
    a = context.assignment
    if a.status == AssignmentStatus.DONE:
        return ButtonOutcome(
            "Nhiệm vụ đã hoàn thành từ trước.",
            [
                Reply(
                    f"Nhiệm vụ <b>{esc(context.task.code)}</b> đã được báo hoàn thành"
                    f"{_on(a.completed_on)}. Không cần báo lại."
                )
            ],
        )
    outcome = _attempt(
        turn.session,
        lambda: progress.report_progress(
            turn.session,
            actor=user,
            assignment_id=a.id or 0,
            expected_version=a.version,
            status=AssignmentStatus.DONE,
            percent=100,
            note=f"Báo hoàn thành qua {turn.channel_name}",
            uploads=[],
            store=_store(turn.settings),
            today=turn.today,
        ),
    )
    if isinstance(outcome, DomainError):
        return _refused(outcome)
    return ButtonOutcome(
        "Đã ghi nhận hoàn thành.",
        [Reply("Đã ghi nhận <b>hoàn thành</b>.\n" + _state_text(context, turn.today))],
    )


def _ask(turn: _Turn, link: ChatLink, context: AssignmentContext, action: Action) -> ButtonOutcome:
    a, code = context.assignment, esc(context.task.code)
    if a.status == AssignmentStatus.CANCELLED:
        return _refusal_text("Nhiệm vụ đã được hủy nên không nhận báo cáo hay đề nghị gia hạn.")
    if a.status == AssignmentStatus.DONE:
        return _refusal_text(
            f"Nhiệm vụ đã hoàn thành{_on(a.completed_on)}. Nếu cần mở lại, cập nhật trên web."
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
            return _refusal_text("Nhiệm vụ này đã có đề nghị gia hạn đang chờ quyết định.")
        example = max(a.due or turn.today, turn.today) + timedelta(days=30)
        current = f"Hạn hiện tại: {a.due:%d/%m/%Y}.\n" if a.due else ""
        pending, question = (
            ASK_EXTENSION,
            (
                f"{current}Nhập hạn mới (dd/mm/yyyy) và lý do, ví dụ: "
                f"{example:%d/%m/%Y} {REASON_EXAMPLE}"
            ),
        )
    link.pending_action, link.pending_assignment_id = pending, a.id
    link.pending_until = turn.now + QUESTION_LIFETIME
    turn.session.add(link)
    return ButtonOutcome(
        "Mời nhập câu trả lời.",
        [
            Reply(
                f"<b>{code}</b> {esc(_shorten(context.task.text, 140))}\n{question}\n"
                "(Gửi /huy để bỏ qua; câu hỏi mở trong 30 phút.)"
            )
        ],
    )


def _answer(turn: _Turn, link: ChatLink, user: User, question: str, text: str) -> list[Reply]:
    try:
        context = load_assignment(
            turn.session, actor=user, assignment_id=link.pending_assignment_id or 0, for_change=True
        )
    except DomainError as error:
        _close_question(link)
        return [Reply(esc(_message(error)))]
    if question == ASK_PERCENT:
        return _answer_percent(turn, link, user, context, text)
    return _answer_extension(turn, link, user, context, text)


def _answer_percent(
    turn: _Turn, link: ChatLink, user: User, context: AssignmentContext, text: str
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
    outcome = _attempt(
        turn.session,
        lambda: progress.report_progress(
            turn.session,
            actor=user,
            assignment_id=a.id or 0,
            expected_version=a.version,
            status=status,
            percent=percent,
            note=note,
            uploads=[],
            store=_store(turn.settings),
            today=turn.today,
        ),
    )
    if isinstance(outcome, DomainError):
        return [_refused_answer(link, outcome, again)]
    _close_question(link)
    noted = f"\nGhi chú: {esc(note)}" if note else ""
    return [
        Reply(f"Đã ghi nhận tiến độ <b>{percent}%</b>.\n{_state_text(context, turn.today)}{noted}")
    ]


def _answer_extension(
    turn: _Turn, link: ChatLink, user: User, context: AssignmentContext, text: str
) -> list[Reply]:
    a, today = context.assignment, turn.today
    example = max(a.due or today, today) + timedelta(days=30)
    again = f"Nhập lại, ví dụ: {example:%d/%m/%Y} {REASON_EXAMPLE}"
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
                f"Ngày {requested:%d/%m/%Y} đã qua (hôm nay là {today:%d/%m/%Y}); hạn mới phải "
                f"sau hôm nay. {again}"
            )
        ]
    if a.due is not None and requested <= a.due:
        return [Reply(f"Hạn mới phải sau hạn hiện tại ({a.due:%d/%m/%Y}). {again}")]
    if not reason:
        return [Reply(f"Chưa có lý do xin gia hạn: ghi lý do sau ngày. {again}")]
    outcome = _attempt(
        turn.session,
        lambda: extensions.request_extension(
            turn.session,
            actor=user,
            assignment_id=a.id or 0,
            requested_due=requested,
            reason=reason,
            today=today,
        ),
    )
    if isinstance(outcome, DomainError):
        return [_refused_answer(link, outcome, again)]
    _close_question(link)
    current = f" (hạn hiện tại {a.due:%d/%m/%Y})" if a.due else ""
    return [
        Reply(
            f"Đã gửi đề nghị gia hạn nhiệm vụ <b>{esc(context.task.code)}</b> đến "
            f"<b>{requested:%d/%m/%Y}</b>{current}.\nLý do: {esc(reason)}\n"
            "Bạn sẽ được báo khi có quyết định."
        )
    ]


# -- small pieces -------------------------------------------------------------------------


def _turn(
    session: Session, channel: str, external_id: str, now: datetime, settings: Settings
) -> _Turn:
    moment = now if now.tzinfo else now.replace(tzinfo=UTC)
    return _Turn(session, channel, str(external_id), moment.astimezone(UTC), settings)


def _parse_command(text: str) -> tuple[str | None, str]:
    match = _COMMAND.match(text)
    if match is None:
        return None, ""
    return match.group(1).lower(), (match.group(2) or "").strip()


def _open_question(link: ChatLink, now: datetime) -> str | None:
    """The question waiting for an answer, unless it expired."""
    if not link.pending_action or link.pending_until is None:
        return None
    until = link.pending_until
    until = until if until.tzinfo else until.replace(tzinfo=UTC)
    return link.pending_action if until > now else None


def _close_question(link: ChatLink) -> None:
    link.pending_action = link.pending_assignment_id = link.pending_until = None


def _attempt(session: Session, work: Callable[[], T]) -> T | DomainError:
    """Run a change in a savepoint: on a refusal only the change is undone."""
    try:
        with session.begin_nested():
            return work()
    except DomainError as error:
        log.info("chat change refused: %s", error)
        return error


def _message(error: DomainError) -> str:
    if isinstance(error, StaleUpdate):
        return "Nhiệm vụ vừa được người khác cập nhật. Thử lại để ghi theo thông tin mới nhất."
    return error.template.format(**error.params) if error.params else error.template


def _refused(error: DomainError) -> ButtonOutcome:
    return _refusal_text(_message(error))


def _refusal_text(message: str) -> ButtonOutcome:
    return ButtonOutcome(_shorten(message, TOAST_LIMIT), [Reply(esc(message))])


def _refused_answer(link: ChatLink, error: DomainError, again: str) -> Reply:
    """A refused answer: the question stays open unless the task is no longer theirs."""
    if isinstance(error, (PermissionDenied, NotFound)):
        _close_question(link)
        return Reply(esc(_message(error)))
    return Reply(f"{esc(_message(error))} {again}")


def _state_text(context: AssignmentContext, today: date) -> str:
    a, task = context.assignment, context.task
    due = f" · hạn {a.due:%d/%m/%Y}" if a.due else ""
    return (
        f"<b>{esc(task.code)}</b> {esc(_shorten(task.text, 140))}\n"
        f"Tình trạng: {CATEGORY_LABELS[_category(a, today)]} · {a.percent}%{due}"
    )


def _category(a: Assignment, today: date) -> Category:
    """The same rule as tracker.assignments.status.category_of, for one loaded row."""
    if a.status == AssignmentStatus.CANCELLED:
        return Category.CANCELLED
    if a.status == AssignmentStatus.DONE:
        on_time = a.due is None or (a.completed_on is not None and a.completed_on <= a.due)
        return Category.DONE_ON_TIME if on_time else Category.DONE_LATE
    if a.due is not None and today > a.due:
        return Category.OVERDUE
    if a.status == AssignmentStatus.IN_PROGRESS:
        return Category.IN_PROGRESS
    return Category.NOT_STARTED


def _on(day: date | None) -> str:
    return f" ngày {day:%d/%m/%Y}" if day else ""


def _shorten(text: str, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _store(settings: Settings) -> EvidenceStore:
    return EvidenceStore(settings.instance_path / "uploads")
