"""The Zalo OA access token, kept in the channel_token row so every process shares it.

Zalo's refresh tokens work once: each refresh returns a new access token and a new refresh
token, and the old refresh token is dead. So the new pair is stored in the same transaction
that asked for it, and two processes never present the same refresh token: the refresher
first claims the row with a guarded `UPDATE ... WHERE channel = 'zalo' AND version = :seen`.
That UPDATE holds the row's write lock (the row on PostgreSQL, the database on SQLite) until
the new pair is committed, so a second refresher blocks on its own guarded UPDATE, finds the
version moved, and uses the winner's access token without calling Zalo.

The lock is held for one HTTP call about once a day. Never call this from inside an open
write transaction on SQLite: the claim would wait on the caller's own lock.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import Engine, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from tracker.config import ZaloSettings
from tracker.db import utcnow
from tracker.notify.base import TemporaryFailure
from tracker.notify.models import ChannelToken
from tracker.tables import table_of

log = logging.getLogger(__name__)

CHANNEL = "zalo"
# Zalo's access tokens live 25 hours; refresh well before the end.
REFRESH_MARGIN = timedelta(hours=1)
DEFAULT_LIFETIME_SECONDS = 90000
_TABLE = table_of(ChannelToken)
_RECONFIGURE = (
    "lấy refresh token mới (Zalo API Explorer, loại OA Access Token), đặt vào "
    "TRACKER_ZALO_REFRESH_TOKEN rồi khởi động lại"
)


@dataclass(frozen=True)
class TokenState:
    access_token: str
    refresh_token: str
    access_expires_at: datetime | None
    version: int


class ZaloTokenStore:
    """Hands out a usable OA access token, refreshing and storing it when needed."""

    def __init__(
        self,
        settings: ZaloSettings,
        engine: Engine,
        client: httpx.Client,
        *,
        clock: Callable[[], datetime] = utcnow,
        margin: timedelta = REFRESH_MARGIN,
    ) -> None:
        self._settings = settings
        self._engine = engine
        self._client = client
        self._clock = clock
        self._margin = margin
        self._cached: TokenState | None = None
        # The dispatcher's threads share this store: one of them refreshes, the others wait
        # here and take its token (other processes are kept apart by the row's version).
        self._refreshing = threading.Lock()

    def access_token(self) -> str:
        """The stored access token, refreshed first if it is missing or about to expire."""
        cached = self._cached
        if cached is not None and self._is_fresh(cached):
            return cached.access_token
        with self._refreshing:
            state = self.load()
            if not self._is_fresh(state):
                state = self._refresh(seen=state)
            self._cached = state
        return state.access_token

    def after_rejection(self, rejected: str) -> str:
        """Zalo refused `rejected`: another process's newer token if there is one, else a
        refresh now."""
        with self._refreshing:
            self._cached = None
            state = self.load()
            if not (
                state.access_token and state.access_token != rejected and self._is_fresh(state)
            ):
                state = self._refresh(seen=state)
            self._cached = state
        return state.access_token

    def load(self) -> TokenState:
        """The stored row, created from the configured refresh token on first use."""
        state = self._read()
        if state is not None:
            return state
        if not self._settings.refresh_token:
            raise TemporaryFailure(
                "Chưa có token Zalo: đặt TRACKER_ZALO_REFRESH_TOKEN (Zalo API Explorer) "
                "rồi khởi động lại"
            )
        with self._engine.begin() as connection:
            insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
            connection.execute(
                insert(_TABLE)
                .values(
                    channel=CHANNEL,
                    access_token="",
                    refresh_token=self._settings.refresh_token,
                    access_expires_at=None,
                    version=1,
                    updated_at=self._clock(),
                )
                .on_conflict_do_nothing(index_elements=["channel"])
            )
        state = self._read()
        assert state is not None
        return state

    # -- refreshing ---------------------------------------------------------------------

    def _refresh(self, *, seen: TokenState) -> TokenState:
        for _ in range(3):
            with self._engine.begin() as connection:
                claimed = connection.execute(
                    update(_TABLE)
                    .where(_TABLE.c.channel == CHANNEL, _TABLE.c.version == seen.version)
                    .values(version=seen.version + 1, updated_at=self._clock())
                )
                if claimed.rowcount == 1:
                    # Any failure below rolls the claim back: the refresh token is unchanged.
                    access, refresh, lifetime = self._ask_zalo(seen.refresh_token)
                    now = self._clock()
                    state = TokenState(
                        access, refresh, now + timedelta(seconds=lifetime), seen.version + 1
                    )
                    connection.execute(
                        update(_TABLE)
                        .where(_TABLE.c.channel == CHANNEL)
                        .values(
                            access_token=state.access_token,
                            refresh_token=state.refresh_token,
                            access_expires_at=state.access_expires_at,
                            updated_at=now,
                        )
                    )
                    log.info(
                        "Zalo access token refreshed (version %s), valid until %s",
                        state.version,
                        state.access_expires_at.isoformat() if state.access_expires_at else "?",
                    )
                    return state
            # Someone else refreshed first: use theirs.
            seen = self.load()
            if self._is_fresh(seen):
                return seen
        raise TemporaryFailure("Không làm mới được access token Zalo (nhiều tiến trình tranh nhau)")

    def _ask_zalo(self, refresh_token: str) -> tuple[str, str, int]:
        """(access token, refresh token, lifetime in seconds) for `refresh_token`."""
        answer = self._grant(refresh_token)
        seed = self._settings.refresh_token
        if "access_token" not in answer and seed and seed != refresh_token:
            # The stored token is dead; an admin may have configured a fresh grant.
            log.warning("Zalo refused the stored refresh token; trying the configured one")
            retry = self._grant(seed)
            answer = retry if "access_token" in retry else answer
        if "access_token" not in answer or "refresh_token" not in answer:
            log.error("Zalo refused the refresh token: %s", answer)
            code = answer.get("error", "?")
            name = answer.get("error_name") or answer.get("message") or "không rõ"
            raise TemporaryFailure(
                f"Zalo từ chối làm mới access token (mã {code}: {name}): {_RECONFIGURE}"
            )
        try:
            lifetime = int(answer.get("expires_in") or DEFAULT_LIFETIME_SECONDS)
        except (TypeError, ValueError):
            lifetime = DEFAULT_LIFETIME_SECONDS
        return str(answer["access_token"]), str(answer["refresh_token"]), lifetime

    def _grant(self, refresh_token: str) -> dict[str, Any]:
        url = f"{self._settings.oauth_url.rstrip('/')}/v4/oa/access_token"
        try:
            response = self._client.post(
                url,
                data={
                    "app_id": self._settings.app_id,
                    "grant_type": "refresh_token",
                    "refresh_token": refresh_token,
                },
                headers={"secret_key": self._settings.app_secret},
            )
        except httpx.TimeoutException as error:
            # Zalo may have rotated the pair without telling us: the grant could be lost.
            log.error("Zalo token endpoint timed out during a refresh: %r", error)
            raise TemporaryFailure(
                "Zalo không trả lời khi làm mới access token; nếu lỗi lặp lại, " + _RECONFIGURE
            ) from error
        except httpx.HTTPError as error:
            raise TemporaryFailure(f"Không kết nối được máy chủ token Zalo: {error!r}") from error
        if response.status_code >= 500:
            raise TemporaryFailure(f"Máy chủ token Zalo lỗi HTTP {response.status_code}")
        try:
            answer = response.json()
        except ValueError as error:
            raise TemporaryFailure(
                f"Máy chủ token Zalo trả lời không phải JSON (HTTP {response.status_code})"
            ) from error
        return answer if isinstance(answer, dict) else {}

    # -- the row ------------------------------------------------------------------------

    def _read(self) -> TokenState | None:
        with self._engine.connect() as connection:
            row = connection.execute(
                select(
                    _TABLE.c.access_token,
                    _TABLE.c.refresh_token,
                    _TABLE.c.access_expires_at,
                    _TABLE.c.version,
                ).where(_TABLE.c.channel == CHANNEL)
            ).first()
        if row is None:
            return None
        return TokenState(row.access_token, row.refresh_token, row.access_expires_at, row.version)

    def _is_fresh(self, state: TokenState) -> bool:
        if not state.access_token:
            return False
        return state.access_expires_at is None or (
            state.access_expires_at - self._margin > self._clock()
        )
