"""Marks each claimed outbox row with what its send came to, and counts the outcomes."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from tracker.config import ReminderSettings
from tracker.db import utcnow
from tracker.notify.base import (
    ClaimLost,
    Delivery,
    DeliveryError,
    MaybeDelivered,
    PermanentFailure,
    RateLimitedByChannel,
)
from tracker.reminders import outbox
from tracker.reminders.models import MessageKind, OutboxMessage, OutboxStatus
from tracker.reminders.quiet import first_allowed
from tracker.workdays import WorkCalendar, load_calendar

log = logging.getLogger(__name__)

# A row for a channel this dispatcher cannot send on waits this long before it is looked at
# again (the admin may be setting the channel up).
UNCONFIGURED_RETRY = timedelta(minutes=15)


@dataclass
class DispatchSummary:
    """What a dispatch run did; `stale`: outcomes not recorded because another dispatcher had
    reclaimed the row meanwhile."""

    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    unconfirmed: int = 0
    waited: int = 0
    deferred: int = 0
    stale: int = 0

    def __add__(self, other: DispatchSummary) -> DispatchSummary:
        return DispatchSummary(
            **{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)}
        )


class Recorder:
    """Marks one dispatcher's claimed rows with what happened to them, each in its own
    transaction, and counts the outcome."""

    def __init__(
        self,
        engine: Engine,
        reminders: ReminderSettings,
        *,
        worker: str,
        timezone: str = "Asia/Ho_Chi_Minh",
    ) -> None:
        self.engine = engine
        self.reminders = reminders
        self.worker = worker
        self.timezone = timezone
        # (year, hour) -> the working calendar, read again each hour (an admin may add days).
        self._calendars: dict[tuple[int, int], WorkCalendar] = {}

    def allowed(self, moment: datetime) -> datetime:
        """The first moment from `moment` on outside the quiet hours and days off, when the
        retry would carry a reminder sent in office time into them. A message being sent in
        quiet time already (someone chose to) is left to its back-off."""
        allowed_from = self._allowed_from(moment)
        now = utcnow()
        return allowed_from(moment) if allowed_from(now) == now else moment

    def held_back_until(self, row: OutboxMessage) -> datetime | None:
        """When a reminder found late, in the quiet hours or on a day off, may leave: it
        became due in office time (a dispatcher was down since), so it waits for the next
        allowed moment. None: send it now (office time, or a message meant for now)."""
        if row.kind != MessageKind.DIGEST:
            return None
        now = utcnow()
        due = row.next_attempt_at
        allowed_from = self._allowed_from(now)
        if allowed_from(now) == now or allowed_from(due) != due:
            return None
        return allowed_from(now)

    def quiet(self, row: OutboxMessage, until: datetime) -> DispatchSummary:
        """The row waits out the quiet hours (no attempt counted)."""
        done = self._call(
            outbox.mark_wait,
            message_id=row.id or 0,
            worker=self.worker,
            until=until,
            reason="Giờ yên lặng hoặc ngày nghỉ: gửi vào đầu giờ làm việc / quiet hours",
            parts_sent=row.parts_sent,
        )
        return self._recorded("deferred", row, done)

    def _allowed_from(self, moment: datetime) -> Callable[[datetime], datetime]:
        key = (moment.year, int(utcnow().timestamp() // 3600))
        calendar = self._calendars.get(key)
        if calendar is None:
            with Session(self.engine) as session:
                calendar = load_calendar(session, years=[moment.year, moment.year + 1])
            self._calendars = {key: calendar}

        def allowed_from(at: datetime) -> datetime:
            return first_allowed(
                at, settings=self.reminders, calendar=calendar, timezone=self.timezone
            )

        return allowed_from

    def unconfigured(self, row: OutboxMessage) -> DispatchSummary:
        """No sender for the row's channel here: the row waits UNCONFIGURED_RETRY."""
        reason = (
            f"Kênh {row.channel} chưa được cấu hình trên máy gửi này; tin sẽ được gửi khi "
            f"cấu hình xong / channel {row.channel} is not configured on this dispatcher"
        )
        done = self._call(
            outbox.mark_wait,
            message_id=row.id or 0,
            worker=self.worker,
            until=utcnow() + UNCONFIGURED_RETRY,
            reason=reason,
            parts_sent=row.parts_sent,
        )
        return self._recorded("deferred", row, done)

    def refused(self, row: OutboxMessage, problem: str) -> DispatchSummary:
        """The recipient cannot be sent to (`problem` says why): the row fails for good."""
        done = self._call(
            outbox.mark_failed,
            message_id=row.id or 0,
            worker=self.worker,
            now=utcnow(),
            error=problem,
            parts_sent=row.parts_sent,
        )
        return self._recorded("failed", row, done)

    def progress(self, row: OutboxMessage, parts_sent: int) -> bool:
        """`parts_sent` parts of `row` are delivered and more follow: committed now. False when
        the row is no longer ours."""
        kept = self._call(
            outbox.save_progress,
            message_id=row.id or 0,
            worker=self.worker,
            parts_sent=parts_sent,
            now=utcnow(),
        )
        return bool(kept)

    def sent(self, row: OutboxMessage, delivery: Delivery) -> DispatchSummary:
        """The row was delivered."""
        done = self._call(
            outbox.mark_sent,
            message_id=row.id or 0,
            worker=self.worker,
            now=utcnow(),
            external_id=delivery.external_id,
            parts_sent=delivery.parts_sent,
        )
        return self._recorded("sent", row, done)

    def failure(self, row: OutboxMessage, error: DeliveryError) -> DispatchSummary:
        """The sender raised `error`: the row waits, fails, stays unconfirmed or is retried."""
        common: dict[str, Any] = {
            "message_id": row.id or 0,
            "worker": self.worker,
            "parts_sent": max(error.parts_sent, row.parts_sent),
        }
        if isinstance(error, ClaimLost):
            return self._recorded("stale", row, False)
        if isinstance(error, RateLimitedByChannel):
            log.warning(
                "%s asked to wait %.1f s (message %s)", row.channel, error.retry_after, row.id
            )
            until = utcnow() + timedelta(seconds=error.retry_after)
            done = self._call(outbox.mark_wait, until=until, reason=error.reason, **common)
            return self._recorded("waited", row, done)
        now = utcnow()
        if isinstance(error, PermanentFailure):
            log.warning("outbox message %s failed for good: %s", row.id, error.reason)
            done = self._call(
                outbox.mark_failed,
                now=now,
                error=error.reason,
                link_is_dead=error.link_is_dead,
                **common,
            )
            return self._recorded("failed", row, done)
        if isinstance(error, MaybeDelivered):
            log.warning("outbox message %s may have been delivered: %s", row.id, error.reason)
            done = self._call(outbox.mark_unconfirmed, now=now, error=error.reason, **common)
            return self._recorded("unconfirmed", row, done)
        log.info("outbox message %s will be retried: %s", row.id, error.reason)
        return self._retry(row, error.reason, common)

    def unexpected(self, row: OutboxMessage, error: Exception) -> DispatchSummary:
        """Sending or recording the row raised `error`, not a DeliveryError: the row is retried."""
        common = {"message_id": row.id or 0, "worker": self.worker, "parts_sent": row.parts_sent}
        try:
            return self._retry(row, f"{type(error).__name__}: {error}", common)
        except Exception:  # the database is away too: the lease expires and it is reclaimed
            log.exception("could not record the failure of outbox message %s", row.id)
            return DispatchSummary()

    def _retry(self, row: OutboxMessage, reason: str, common: dict[str, Any]) -> DispatchSummary:
        status = self._call(
            outbox.mark_retry,
            now=utcnow(),
            error=reason,
            max_attempts=self.reminders.max_attempts,
            backoff_seconds=self.reminders.backoff_seconds,
            # A reminder retried at night or on a day off waits for the morning of a working
            # day; a test message (the admin waiting for it) does not.
            not_before=self.allowed if row.kind == MessageKind.DIGEST else None,
            **common,
        )
        if status == OutboxStatus.FAILED:
            log.warning("outbox message %s gave up after its last attempt: %s", row.id, reason)
            return DispatchSummary(failed=1)
        return self._recorded("retried", row, status is not None)

    def _call(self, function: Callable[..., Any], **arguments: Any) -> Any:
        with Session(self.engine, expire_on_commit=False) as session:
            return function(session, **arguments)

    def _recorded(self, outcome: str, row: OutboxMessage, done: bool) -> DispatchSummary:
        if done:
            return DispatchSummary(**{outcome: 1})
        # Say who has it now: "another dispatcher" only when it really is another one.
        try:
            holder, status = self._call(outbox.holder, message_id=row.id or 0)
        except Exception:
            holder, status = None, None
        if holder is not None and holder != self.worker:
            log.warning(
                "outbox message %s was reclaimed by another dispatcher (%s, %s)",
                row.id,
                holder,
                status,
            )
        else:
            log.warning("outbox message %s was changed meanwhile (now %s)", row.id, status)
        return DispatchSummary(stale=1)
