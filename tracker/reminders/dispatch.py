"""The dispatcher: claims due outbox rows and sends them through the channel senders, within
the channels' rate limits; tracker/reminders/outcomes.py records what became of each.

Several dispatchers may run at once on PostgreSQL (claims use SKIP LOCKED); on SQLite run one.
Telegram's rate limits (overall and per chat) are shared by every dispatcher on PostgreSQL
or Redis (tracker/notify/shared_rate.py); on SQLite the one dispatcher paces itself.

Exactly once, as far as the channel allows:
- a claim is a lease (DEFAULT_LEASE, 10 minutes) that a heartbeat thread renews every
  `heartbeat` (30 s) for each row still in flight here, so only a dispatcher that died (or
  lost its database for a whole lease) has its rows taken over; none reclaims its own row;
- no wait the dispatcher chooses while holding a row comes near the lease: a pause the
  channel asks for (429 retry_after) is waited out for at most MAX_HELD_PAUSE (60 s), a longer
  one gives the row back until the pause is over, and each request has its timeout;
- each part of a long message is committed (parts_sent) before the next one leaves.
What remains is the window between the channel accepting a request and our commit of that
fact; see tracker/reminders/outbox.py.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Collection, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from tracker.accounts.models import ChatLink, User
from tracker.config import Settings
from tracker.db import utcnow
from tracker.notify.base import (
    ClaimLost,
    Delivery,
    DeliveryError,
    Outgoing,
    RateLimitedByChannel,
    Sender,
    TemporaryFailure,
)
from tracker.notify.channels import Channel
from tracker.notify.pacing import MAX_HELD_PAUSE, Pacer
from tracker.notify.shared_rate import shared_bucket, shared_chat_limit
from tracker.reminders import outbox
from tracker.reminders.models import OutboxMessage
from tracker.reminders.outcomes import DispatchSummary, Recorder

log = logging.getLogger(__name__)

# How long a claimed row stays this dispatcher's without a heartbeat; it is far longer than
# any wait the dispatcher chooses while holding a row (MAX_HELD_PAUSE, a request's timeout).
DEFAULT_LEASE = timedelta(minutes=10)
DEFAULT_HEARTBEAT = timedelta(seconds=30)


@dataclass(frozen=True)
class _Recipient:
    """What the dispatcher checks before sending, and what Zalo needs besides the row."""

    problem: str | None = None
    phone: str | None = None
    name: str | None = None
    last_interaction_at: Any = None


def _channel_pacers(
    engine: Engine, settings: Settings, clock: Callable[[], float]
) -> dict[str, Pacer]:
    """One pacer per channel: Telegram's limits shared between dispatchers, the others free."""
    return {
        channel: Pacer(
            per_second=settings.reminders.telegram_per_second,
            per_chat_seconds=settings.reminders.telegram_per_chat_seconds,
            clock=clock,
            # Shared by every dispatcher when more than one can run (PostgreSQL, Redis).
            shared=shared_bucket(
                engine,
                redis_url=settings.redis_url,
                name=channel.value,
                per_second=settings.reminders.telegram_per_second,
            ),
            shared_chats=shared_chat_limit(
                engine,
                redis_url=settings.redis_url,
                channel=channel.value,
                per_chat_seconds=settings.reminders.telegram_per_chat_seconds,
            ),
        )
        if channel == Channel.TELEGRAM
        else Pacer(per_second=None, clock=clock)
        for channel in list(Channel)
    }


class Dispatcher:
    """Sends due outbox rows; the senders given are the dispatcher's to close."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        senders: Mapping[str, Sender],
        *,
        worker: str,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        concurrency: int = 8,
        lease: timedelta = DEFAULT_LEASE,
        heartbeat: timedelta = DEFAULT_HEARTBEAT,
    ) -> None:
        if heartbeat * 3 > lease:
            raise ValueError(f"the lease ({lease}) must outlast three heartbeats ({heartbeat})")
        self.engine = engine
        self.settings = settings
        self.senders = dict(senders)
        self.worker = worker
        self.clock = clock
        self.sleep = sleep
        self.lease = lease
        self.heartbeat = heartbeat
        self.concurrency = max(concurrency, 1)
        self.record = Recorder(
            engine, settings.reminders, worker=worker, timezone=settings.timezone
        )
        # Keyed by channel name, a Channel or its text.
        self.pacers = _channel_pacers(engine, settings, clock)
        # A sender that can (Telegram: long messages go in parts) paces each request itself,
        # right before it leaves; the others are paced here, one slot per message.
        self._paced_by_sender: set[str] = set()
        for channel, sender in self.senders.items():
            if hasattr(sender, "pacer") and sender.pacer is None:
                sender.pacer = self.pacers[channel]
                self._paced_by_sender.add(channel)
        self._warm: set[str] = set()
        self._pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix="dispatch")
        # The rows claimed here and not yet recorded: the heartbeat renews their claims.
        self._in_flight: set[int] = set()
        self._in_flight_lock = threading.Lock()
        self._closing = threading.Event()
        self._heartbeat_thread = threading.Thread(
            target=self._beat, name=f"dispatch-heartbeat-{worker}", daemon=True
        )
        self._heartbeat_thread.start()

    def close(self) -> None:
        """Stop the sending threads and close the senders."""
        self._pool.shutdown(wait=True)
        self._closing.set()
        self._heartbeat_thread.join(timeout=10)
        for sender in self.senders.values():
            try:
                sender.close()
            except Exception:
                log.exception("closing the %s sender failed", sender.channel)

    def __enter__(self) -> Dispatcher:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- the loops -----------------------------------------------------------------------

    def run_once(self, batch: int = 50) -> DispatchSummary:
        """Claim up to `batch` due rows, send each and record each outcome."""
        claimed, futures = self._claim_and_submit(batch)
        summary = DispatchSummary(claimed=claimed)
        for future in futures:
            summary += future.result()
        return summary

    def run_until_idle(
        self, max_seconds: float | None = None, *, batch: int = 50, linger: float = 60.0
    ) -> DispatchSummary:
        """Dispatch until nothing is due on the channels we can send on, waiting for rows that
        come due within `linger` seconds (a 429's retry_after, early retries); stop after
        `max_seconds` in any case. Later retries are left for the next run."""
        deadline = None if max_seconds is None else self.clock() + max_seconds

        def past_deadline() -> bool:
            return deadline is not None and self.clock() >= deadline

        def when_idle() -> bool:
            with Session(self.engine) as session:
                due = outbox.next_due(session, channels=self.senders.keys())
            if due is None:
                return True
            wait_for = max((due - utcnow()).total_seconds(), 0.0)
            if wait_for > linger or (deadline is not None and self.clock() + wait_for > deadline):
                return True
            self.sleep(min(max(wait_for, 0.01), 1.0))
            return False

        return self._stream(batch, should_stop=past_deadline, when_idle=when_idle)

    def run_forever(
        self, stop: threading.Event, idle_sleep: float = 2.0, *, batch: int = 50
    ) -> None:
        """Dispatch until `stop` is set; errors are logged and the loop goes on."""
        log.info("dispatcher %s started (channels: %s)", self.worker, ", ".join(self.senders))
        while not stop.is_set():
            try:
                self._stream(
                    batch,
                    should_stop=stop.is_set,
                    when_idle=lambda: stop.wait(idle_sleep),
                )
            except KeyboardInterrupt:
                break
            except Exception:  # the database went away, say: wait and try again
                log.exception("dispatch round failed; trying again in %.0f s", idle_sleep)
                stop.wait(idle_sleep)
        log.info("dispatcher %s stopped", self.worker)

    def _stream(
        self,
        batch: int,
        *,
        should_stop: Callable[[], bool],
        when_idle: Callable[[], bool],
    ) -> DispatchSummary:
        """Keep the sending threads busy: the next batch is claimed while the tail of the last
        one is still going out, so the rate limit, not the claiming, sets the pace."""
        total = DispatchSummary()
        running: set[Future[DispatchSummary]] = set()
        dry_until = float("-inf")
        try:
            while True:
                stopping = should_stop()
                if not stopping and len(running) <= self.concurrency and self.clock() >= dry_until:
                    claimed, futures = self._claim_and_submit(batch)
                    total.claimed += claimed
                    running.update(futures)
                    if not claimed:
                        if not running:
                            if when_idle():
                                break
                            continue
                        dry_until = self.clock() + 0.5
                if not running:
                    if stopping:
                        break
                    continue
                done, running = wait(running, timeout=0.5, return_when=FIRST_COMPLETED)
                for future in done:
                    total += future.result()
        finally:
            for future in running:
                total += future.result()
        return total

    # -- the heartbeat -------------------------------------------------------------------

    def _beat(self) -> None:
        """Renew the claims of the rows in flight until the dispatcher closes."""
        while not self._closing.wait(self.heartbeat.total_seconds()):
            self.renew_claims()

    def renew_claims(self) -> int:
        """One heartbeat: the rows in flight here are ours for another lease. A failure (the
        database away) is logged; the claims then run out after the lease."""
        with self._in_flight_lock:
            message_ids = set(self._in_flight)
        if not message_ids:
            return 0
        try:
            with Session(self.engine) as session:
                return outbox.renew(
                    session, worker=self.worker, message_ids=message_ids, now=utcnow()
                )
        except Exception:
            log.exception("renewing the claims of %d outbox messages failed", len(message_ids))
            return 0

    # -- one batch -----------------------------------------------------------------------

    def _claim_and_submit(self, batch: int) -> tuple[int, list[Future[DispatchSummary]]]:
        with Session(self.engine, expire_on_commit=False) as session:
            rows = outbox.claim(
                session, worker=self.worker, limit=batch, now=utcnow(), lease=self.lease
            )
            recipients = self._recipients(session, rows)
        with self._in_flight_lock:
            self._in_flight.update(row.id for row in rows if row.id is not None)
        # One chat's messages go out in order, from one thread.
        by_chat: dict[tuple[str, str], list[OutboxMessage]] = {}
        for row in rows:
            by_chat.setdefault((row.channel, row.address), []).append(row)
        for channel in {row.channel for row in rows} - self._warm:
            self._warm_up(channel)
        futures = [
            self._pool.submit(self._send_all, group, recipients) for group in by_chat.values()
        ]
        return len(rows), futures

    def _warm_up(self, channel: str) -> None:
        """Open the connection and check the credentials before the first message, so the
        first paced request is not also the slow one."""
        self._warm.add(channel)
        warm_up = getattr(self.senders.get(channel), "warm_up", None)
        if warm_up is not None:
            warm_up()

    def _recipients(
        self, session: Session, rows: Collection[OutboxMessage]
    ) -> dict[int, _Recipient]:
        link_ids = {row.chat_link_id for row in rows if row.chat_link_id is not None}
        links = {
            link.id: link
            for link in session.exec(select(ChatLink).where(col(ChatLink.id).in_(link_ids))).all()
        }
        user_ids = {row.user_id for row in rows}
        users = {
            user.id: user
            for user in session.exec(select(User).where(col(User.id).in_(user_ids))).all()
        }
        found: dict[int, _Recipient] = {}
        for row in rows:
            link = links.get(row.chat_link_id) if row.chat_link_id is not None else None
            user = users.get(row.user_id)
            problem = None
            if user is None or not user.is_active:
                problem = "Tài khoản người nhận đã bị khóa / the recipient's account is disabled"
            elif link is not None and not link.is_active:
                problem = (
                    f"Liên kết {link.channel} đã ngừng / the chat link is inactive: "
                    f"{link.inactive_reason or '-'}"
                )
            found[row.id or 0] = _Recipient(
                problem=problem,
                phone=user.phone if user else None,
                name=user.full_name if user else None,
                last_interaction_at=link.last_interaction_at if link else None,
            )
        return found

    def _send_all(
        self, rows: list[OutboxMessage], recipients: Mapping[int, _Recipient]
    ) -> DispatchSummary:
        summary = DispatchSummary()
        for row in rows:
            try:
                summary += self._send_one(row, recipients.get(row.id or 0, _Recipient()))
            except Exception as error:  # one bad row must not stop the others
                log.exception("dispatching outbox message %s failed", row.id)
                summary += self.record.unexpected(row, error)
            finally:
                with self._in_flight_lock:
                    self._in_flight.discard(row.id or 0)
        return summary

    def _send_one(self, row: OutboxMessage, recipient: _Recipient) -> DispatchSummary:
        sender = self.senders.get(row.channel)
        if sender is None:
            return self.record.unconfigured(row)
        if recipient.problem:
            return self.record.refused(row, recipient.problem)
        if (until := self.record.held_back_until(row)) is not None:
            return self.record.quiet(row, until)
        pacer = self.pacers[row.channel]
        outgoing = Outgoing(
            message_id=row.id or 0,
            channel=row.channel,
            address=row.address,
            subject=row.subject,
            body=row.body,
            items=list(row.items or []),
            parts_sent=row.parts_sent,
            phone=recipient.phone,
            recipient_name=recipient.name,
            last_interaction_at=recipient.last_interaction_at,
            on_part=lambda parts_sent: self._save_progress(row, parts_sent),
        )
        try:
            delivery = self._paced_send(sender, outgoing, pacer)
        except DeliveryError as error:
            if isinstance(error, RateLimitedByChannel):
                # The channel turns away every chat for a while, not only this one.
                pacer.pause(error.retry_after)
            return self.record.failure(row, error)
        log.debug("outbox message %s sent to %s %s", row.id, row.channel, row.address)
        return self.record.sent(row, delivery)

    def _save_progress(self, row: OutboxMessage, parts_sent: int) -> None:
        """A sender delivered `parts_sent` parts of `row` and has more to send."""
        try:
            kept = self.record.progress(row, parts_sent)
        except Exception as error:  # the database is away: stop, so fewer parts repeat
            raise TemporaryFailure(
                f"could not save the parts sent: {type(error).__name__}: {error}",
                parts_sent=parts_sent,
            ) from error
        if not kept:
            raise ClaimLost(
                f"the message is no longer this dispatcher's; it stopped after part {parts_sent}",
                parts_sent=parts_sent,
            )

    def _paced_send(self, sender: Sender, outgoing: Outgoing, pacer: Pacer) -> Delivery:
        if outgoing.channel in self._paced_by_sender:
            return sender.send(outgoing)
        while (delay := pacer.next_slot(outgoing.address)) > 0:
            if (pause := pacer.pause_left()) > MAX_HELD_PAUSE:
                raise RateLimitedByChannel(
                    f"Kênh tạm dừng {pause:.0f} s / the channel is paused for {pause:.0f} s",
                    retry_after=pause,
                    parts_sent=outgoing.parts_sent,
                )
            self.sleep(delay)
        try:
            return sender.send(outgoing)
        finally:
            pacer.done(outgoing.address)
