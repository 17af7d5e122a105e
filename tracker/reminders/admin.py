"""What the admin does with the outbox: see what was sent to whom and what failed, send a test
message, and send a failed one again.

Admins only; every change is audited. Functions flush, never commit.
"""

from __future__ import annotations

import html
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, col, select

from tracker.accounts.models import ChatLink, User
from tracker.audit import service as audit
from tracker.config import CHANNEL_VARIABLES, Settings
from tracker.db import as_utc
from tracker.errors import N_, InvalidInput, NotFound, PermissionDenied
from tracker.notify.channels import Channel, channel_name
from tracker.pagination import PER_PAGE, fetch_page
from tracker.permissions import can_administer
from tracker.reminders.models import MessageKind, OutboxMessage, OutboxStatus
from tracker.tables import saved_id
from tracker.vn_dates import vn_date

RETRYABLE = (OutboxStatus.FAILED, OutboxStatus.UNCONFIRMED)


@dataclass(frozen=True)
class MessageRow:
    message: OutboxMessage
    user: User
    # The chat link it goes through still works (None: no chat link, as for e-mail).
    link_is_active: bool | None = None

    @property
    def can_retry(self) -> bool:
        """Failed or unconfirmed, and its chat link still works (see retry_message)."""
        return self.message.status in RETRYABLE and self.link_is_active is not False


@dataclass(frozen=True)
class InactiveLink:
    link: ChatLink
    user: User


@dataclass(frozen=True)
class DeliveryOverview:
    """Today's messages by status, what is still open overall, and the dead chat links."""

    today: date
    today_counts: dict[str, int]
    open_counts: dict[str, int]
    problems: list[MessageRow]
    inactive_links: list[InactiveLink]


def require_admin(actor: User) -> None:
    """Refuse anyone but an admin (the calendar admin shares this check and its message)."""
    if not can_administer(actor):
        raise PermissionDenied(N_("Chỉ quản trị viên mới quản lý được việc nhắc việc."))


def list_messages(
    session: Session,
    *,
    actor: User,
    status: str | None = None,
    channel: str | None = None,
    day: date | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> tuple[list[MessageRow], bool]:
    """A page of outbox messages, newest first, with their person; and whether more remain."""
    require_admin(actor)
    statement = _with_person_and_link(select(OutboxMessage, User, ChatLink.is_active))
    if status:
        if status not in set(OutboxStatus):
            raise InvalidInput(N_("Trạng thái lọc không hợp lệ: chọn lại trong danh sách."))
        statement = statement.where(OutboxMessage.status == status)
    if channel:
        if channel not in set(Channel):
            raise InvalidInput(N_("Kênh lọc không hợp lệ: chọn lại trong danh sách."))
        statement = statement.where(OutboxMessage.channel == channel)
    if day is not None:
        statement = statement.where(OutboxMessage.day == day)
    rows, has_more = fetch_page(
        session,
        statement.order_by(col(OutboxMessage.created_at).desc(), col(OutboxMessage.id).desc()),
        page=page,
        per_page=per_page,
    )
    return [MessageRow(*row) for row in rows], has_more


def _with_person_and_link(statement: Any) -> Any:
    return statement.join(User, OutboxMessage.user_id == User.id).join(
        ChatLink, OutboxMessage.chat_link_id == ChatLink.id, isouter=True
    )


def delivery_overview(session: Session, *, actor: User, today: date) -> DeliveryOverview:
    """Counts for today and for everything still open, the latest failures, dead links."""
    require_admin(actor)
    today_counts = dict.fromkeys(OutboxStatus, 0)
    for status, count in session.exec(
        select(OutboxMessage.status, func.count())
        .where(OutboxMessage.day == today)
        .group_by(OutboxMessage.status)
    ).all():
        today_counts[OutboxStatus(status)] = count
    open_statuses = [status for status in OutboxStatus if status != OutboxStatus.SENT]
    open_counts: dict[OutboxStatus, int] = dict.fromkeys(open_statuses, 0)
    for status, count in session.exec(
        select(OutboxMessage.status, func.count())
        .where(col(OutboxMessage.status).in_(open_statuses))
        .group_by(OutboxMessage.status)
    ).all():
        open_counts[OutboxStatus(status)] = count
    problems = session.exec(
        _with_person_and_link(select(OutboxMessage, User, ChatLink.is_active))
        .where(col(OutboxMessage.status).in_(RETRYABLE))
        .order_by(col(OutboxMessage.created_at).desc(), col(OutboxMessage.id).desc())
        .limit(20)
    ).all()
    links = session.exec(
        select(ChatLink, User)
        .join(User, col(ChatLink.user_id) == User.id)
        .where(col(ChatLink.is_active).is_(False))
        .order_by(col(ChatLink.inactive_at).desc(), col(ChatLink.id).desc())
        .limit(200)
    ).all()
    return DeliveryOverview(
        today=today,
        today_counts={str(key): value for key, value in today_counts.items()},
        open_counts={str(key): value for key, value in open_counts.items()},
        problems=[MessageRow(*row) for row in problems],
        inactive_links=[InactiveLink(link, user) for link, user in links],
    )


def list_recipients(session: Session, *, actor: User) -> list[tuple[User, list[str]]]:
    """Active people with the channels a test message could reach them on right now."""
    require_admin(actor)
    people = session.exec(
        select(User).where(col(User.is_active).is_(True)).order_by(User.full_name, User.username)
    ).all()
    linked: dict[int, set[str]] = {}
    for user_id, channel in session.exec(
        select(ChatLink.user_id, ChatLink.channel).where(col(ChatLink.is_active).is_(True))
    ).all():
        linked.setdefault(user_id, set()).add(channel)
    result = []
    for person in people:
        channels = [
            c for c in (Channel.TELEGRAM, Channel.ZALO) if c in linked.get(saved_id(person), ())
        ]
        if person.email:
            channels.append(Channel.EMAIL)
        result.append((person, [str(channel) for channel in channels]))
    return result


def _address(session: Session, *, user: User, channel: str) -> tuple[str, int | None]:
    """Where a message to `user` on `channel` goes: (address, chat link id)."""
    if channel == Channel.EMAIL:
        if not user.email:
            raise InvalidInput(
                N_(
                    "{name} chưa có địa chỉ thư điện tử. Thêm địa chỉ cho tài khoản này "
                    "hoặc gửi thử qua kênh chat đã liên kết."
                ),
                name=user.full_name,
            )
        return user.email, None
    link = session.exec(
        select(ChatLink)
        .where(
            ChatLink.user_id == user.id,
            ChatLink.channel == channel,
            col(ChatLink.is_active).is_(True),
        )
        .order_by(col(ChatLink.id).desc())
    ).first()
    if link is not None:
        return link.external_id, link.id
    if channel == Channel.TELEGRAM:
        raise InvalidInput(
            N_(
                "{name} chưa liên kết Telegram (hoặc liên kết đã ngừng). Nhờ người đó mở trang "
                "Hồ sơ trên web, lấy mã liên kết và gửi /start kèm mã cho bot Telegram, rồi "
                "gửi thử lại."
            ),
            name=user.full_name,
        )
    raise InvalidInput(
        N_(
            "{name} chưa liên kết Zalo (hoặc liên kết đã ngừng). Nhờ người đó mở trang Hồ sơ "
            "trên web, lấy mã liên kết và gửi mã cho Official Account trên Zalo, rồi gửi thử "
            "lại."
        ),
        name=user.full_name,
    )


def queue_test_message(
    session: Session, *, actor: User, user_id: int, channel: str, now: datetime, settings: Settings
) -> OutboxMessage:
    """A test message to `user_id` on `channel`, through the outbox like any reminder; each
    press is a message of its own."""
    require_admin(actor)
    # The web inbox is no channel to test: it is written by the dispatcher itself.
    if channel not in {Channel.TELEGRAM, Channel.ZALO, Channel.EMAIL}:
        raise InvalidInput(N_("Kênh không hợp lệ: chọn Telegram, Zalo hoặc thư điện tử."))
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(N_("Không tìm thấy người nhận này."))
    if not user.is_active:
        raise InvalidInput(
            N_("Tài khoản {name} đang bị khóa: mở khóa trước khi gửi thử."), name=user.full_name
        )
    if not settings.channel_is_configured(channel):
        raise InvalidInput(
            N_(
                "Máy chủ chưa cấu hình kênh {channel}: đặt {variables} rồi khởi động lại "
                "bộ gửi tin."
            ),
            channel=channel_name(channel),
            variables=CHANNEL_VARIABLES[channel],
        )
    address, chat_link_id = _address(session, user=user, channel=channel)
    now = as_utc(now)
    local = now.astimezone(ZoneInfo(settings.timezone))
    message = OutboxMessage(
        user_id=saved_id(user),
        channel=channel,
        kind=MessageKind.TEST,
        day=local.date(),
        covers=secrets.token_hex(32),
        address=address,
        chat_link_id=chat_link_id,
        subject="Tin nhắn thử từ Đôn Đốc",
        body=_test_body(recipient=user, sender=actor, channel=channel, local=local),
        items=[],
        status=OutboxStatus.PENDING,
        next_attempt_at=now,
        created_at=now,
        created_by_id=actor.id,
    )
    session.add(message)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="outbox.test_queued",
        entity_type="outbox_message",
        entity_id=message.id,
        changes={"user_id": [None, user.id], "channel": [None, channel]},
    )
    session.flush()
    return message


def _test_body(*, recipient: User, sender: User, channel: str, local: datetime) -> str:
    """The test message's words: when it was sent, to whom, on which channel and by whom."""
    return (
        f"Tin nhắn thử từ Đôn Đốc lúc {local:%H:%M} {vn_date(local)}. "
        f"Nếu {html.escape(recipient.full_name)} đọc được tin này thì kênh "
        f"{channel_name(channel)} đã thông suốt; không cần trả lời.\n"
        f"Người gửi thử: {html.escape(sender.full_name)}."
    )


def retry_message(session: Session, *, actor: User, message_id: int) -> OutboxMessage:
    """Put a failed (or maybe-delivered) message back in the queue with fresh attempts."""
    require_admin(actor)
    message = session.get(OutboxMessage, message_id)
    if message is None:
        raise NotFound(N_("Không tìm thấy tin nhắn này."))
    if message.status not in RETRYABLE:
        raise InvalidInput(
            N_(
                "Chỉ gửi lại được tin thất bại hoặc chưa rõ đã đến; tin này không ở trạng thái "
                "đó (có thể đã được gửi lại). Tải lại trang để xem trạng thái mới."
            )
        )
    if message.chat_link_id is not None:
        link = session.get(ChatLink, message.chat_link_id)
        if link is not None and not link.is_active:
            raise InvalidInput(
                N_(
                    "Liên kết chat của người nhận đã ngừng ({reason}). Nhờ người đó liên kết "
                    "lại từ trang Hồ sơ rồi gửi tin thử; tin cũ không gửi lại được."
                ),
                reason=link.inactive_reason or "không rõ lý do",
            )
    before = {
        "status": message.status,
        "attempts": message.attempts,
        "last_error": message.last_error,
    }
    message.status = OutboxStatus.PENDING
    message.attempts = 0
    message.next_attempt_at = datetime.now(UTC)
    message.claimed_by = message.claimed_at = None
    message.last_error = None
    session.add(message)
    audit.record(
        session,
        actor=actor,
        action="outbox.retried",
        entity_type="outbox_message",
        entity_id=message.id,
        changes=audit.diff(before, {"status": message.status, "attempts": 0, "last_error": None}),
    )
    session.flush()
    return message
