"""A fake Zalo platform on 127.0.0.1: OAuth v4 (OA access tokens), OA API v3 consultation
messages and ZNS template messages, answering over real HTTP like Zalo does.

Like the real one, it answers application errors with HTTP 200 and a negative `error`; each
refresh token works once; access tokens can be expired on demand (-216 on the OA API, -124
on ZNS). It records every call and can be told to fail: error codes, HTTP 5xx, slow answers.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from tests.fakes.http import JSONHandler, serving, wait_until
from tracker.config import ZaloSettings

APP_ID = "4318000000000000001"
APP_SECRET = "fake-app-secret"
OA_SECRET = "fake-oa-secret"
FIRST_REFRESH_TOKEN = "refresh-0"
TEMPLATE_ID = "300001"
TEXT_LIMIT = 2000
_PHONE = re.compile(r"^84\d{9,10}$")


@dataclass
class Call:
    endpoint: str  # "oauth", "cs" or "zns"
    headers: dict[str, str]
    body: dict[str, Any]
    at: float
    status: int = 200
    error: int = 0


@dataclass
class Fault:
    """What the next matching call gets instead of the normal answer."""

    endpoint: str = "cs"
    # A Zalo error code, answered with HTTP 200 as Zalo does; None with `status` for HTTP errors.
    error: int | None = -32
    message: str = "Your application reached limit call api"
    status: int = 200
    delay: float = 0.0
    # Deliver (record) the message, then answer slowly: a timeout after delivery.
    deliver: bool = False
    # None: any recipient; else a follower id (cs) or a phone (zns).
    recipient: str | None = None
    # Let this many matching calls through first (fail the third part: after=2).
    after: int = 0


@dataclass
class FakeZalo:
    url: str = ""
    calls: list[Call] = field(default_factory=list)
    faults: deque[Fault] = field(default_factory=deque)
    # Followers who unfollowed the OA (-213) or have not written for 7 days (-230).
    not_following: set[str] = field(default_factory=set)
    outside_window: set[str] = field(default_factory=set)
    # Valid-looking phones without a Zalo account (-118).
    no_zalo_phones: set[str] = field(default_factory=set)
    # Seconds the token endpoint takes to answer (to make two refreshes overlap).
    refresh_delay: float = 0.0
    # After this many more delivered messages, every current access token expires.
    expire_after: int | None = None
    refresh_tokens: set[str] = field(default_factory=lambda: {FIRST_REFRESH_TOKEN})
    spent_refresh_tokens: set[str] = field(default_factory=set)
    access_tokens: set[str] = field(default_factory=set)
    # Files followers sent, served at /files/<id> as Zalo serves an attachment's URL.
    files: dict[str, bytes] = field(default_factory=dict)
    downloads: list[str] = field(default_factory=list)
    expired_access_tokens: set[str] = field(default_factory=set)
    _serial: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _grants: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def settings(self, **overrides: Any) -> ZaloSettings:
        """ZaloSettings pointing every base URL at this server."""
        values: dict[str, Any] = {
            "app_id": APP_ID,
            "app_secret": APP_SECRET,
            "oa_secret": OA_SECRET,
            "refresh_token": FIRST_REFRESH_TOKEN,
            "api_url": self.url,
            "oauth_url": self.url,
            "zns_url": self.url,
            "zns_template_id": TEMPLATE_ID,
            "timeout_seconds": 5.0,
        }
        values.update(overrides)
        return ZaloSettings(**values)

    # -- what the test looks at ---------------------------------------------------------

    def calls_to(self, endpoint: str) -> list[Call]:
        with self._lock:
            return [call for call in self.calls if call.endpoint == endpoint]

    def messages(self, user_id: str | None = None) -> list[str]:
        """Texts of consultation messages delivered, optionally to one follower."""
        return [
            call.body["message"]["text"]
            for call in self.calls_to("cs")
            if call.error == 0
            and call.status == 200
            and (user_id is None or call.body["recipient"]["user_id"] == user_id)
        ]

    def zns_messages(self) -> list[dict[str, Any]]:
        return [
            call.body for call in self.calls_to("zns") if call.error == 0 and call.status == 200
        ]

    def refreshes(self) -> list[Call]:
        """Refresh-token grants that succeeded."""
        return [call for call in self.calls_to("oauth") if call.error == 0 and call.status == 200]

    def reused_refresh_tokens(self) -> list[str]:
        """Refresh tokens presented again after they had been spent (Zalo refuses them)."""
        return [
            call.body.get("refresh_token", "")
            for call in self.calls_to("oauth")
            if call.error == -14014
            and call.body.get("refresh_token", "") in self.spent_refresh_tokens
        ]

    def expire_access_tokens(self) -> None:
        """Every access token issued so far stops working, as after 25 hours."""
        with self._lock:
            self.expired_access_tokens |= self.access_tokens
            self.access_tokens = set()

    def issue_refresh_token(self, token: str) -> None:
        """An admin got a fresh grant (API Explorer): `token` becomes usable once."""
        with self._lock:
            self.refresh_tokens.add(token)

    def wait_for(self, predicate: Any, timeout: float = 10.0) -> None:
        """Block until `predicate(self)` is true (the senders call from other threads)."""
        wait_until(
            lambda: predicate(self),
            timeout=timeout,
            failure="the fake Zalo server did not see the expected calls in time",
        )

    # -- the server side ----------------------------------------------------------------

    def answer(
        self, endpoint: str, headers: dict[str, str], body: dict[str, Any]
    ) -> tuple[int, dict[str, Any]]:
        with self._lock:
            call = Call(endpoint, headers, body, time.time())
            self.calls.append(call)
            fault = self._take_fault(endpoint, body)
        if endpoint == "oauth" and self.refresh_delay:
            time.sleep(self.refresh_delay)
        if fault is not None and not fault.deliver:
            status, answer = self._fault(fault)
        else:
            if endpoint == "oauth":
                status, answer = self._oauth(headers, body)
            else:
                status, answer = self._send(endpoint, headers, body)
            if fault is not None:
                time.sleep(fault.delay)
        call.status = status
        call.error = int(answer.get("error", 0)) if isinstance(answer, dict) else 0
        return status, answer

    def _take_fault(self, endpoint: str, body: dict[str, Any]) -> Fault | None:
        recipient = body.get("phone") or (body.get("recipient") or {}).get("user_id")
        for fault in list(self.faults):
            if fault.endpoint == endpoint and fault.recipient in (None, recipient):
                if fault.after > 0:
                    fault.after -= 1
                    continue
                self.faults.remove(fault)
                return fault
        return None

    def _fault(self, fault: Fault) -> tuple[int, dict[str, Any]]:
        if fault.delay:
            time.sleep(fault.delay)
        if fault.error is None:
            return fault.status, {"error": -1, "message": "Internal Server Error"}
        return fault.status, {"error": fault.error, "message": fault.message}

    def _oauth(self, headers: dict[str, str], form: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if headers.get("secret_key") != APP_SECRET or form.get("app_id") != APP_ID:
            return 200, {
                "error": -14004,
                "error_name": "Invalid secret key",
                "error_reason": "app_id or secret_key does not match",
            }
        if form.get("grant_type") != "refresh_token":
            return 200, {"error": -14001, "error_name": "Invalid grant_type"}
        token = form.get("refresh_token", "")
        with self._lock:
            if token not in self.refresh_tokens:
                return 200, {
                    "error": -14014,
                    "error_name": "Invalid refresh token",
                    "error_reason": "Refresh token is invalid or has been used",
                    "error_description": "Refresh token không hợp lệ hoặc đã được sử dụng",
                }
            serial = next(self._grants)
            self.refresh_tokens.discard(token)
            self.spent_refresh_tokens.add(token)
            access, refresh = f"access-{serial}", f"refresh-{serial}"
            self.access_tokens.add(access)
            self.refresh_tokens.add(refresh)
        return 200, {"access_token": access, "refresh_token": refresh, "expires_in": "90000"}

    def _send(
        self, endpoint: str, headers: dict[str, str], body: dict[str, Any]
    ) -> tuple[int, dict[str, Any]]:
        token = headers.get("access_token", "")
        with self._lock:
            if token not in self.access_tokens:
                if endpoint == "zns":
                    return 200, {"error": -124, "message": "Access token invalid"}
                return 200, {"error": -216, "message": "Access token is invalid"}
        answer = self._cs(body) if endpoint == "cs" else self._zns(body)
        if answer.get("error") == 0 and self.expire_after is not None:
            with self._lock:
                self.expire_after -= 1
                expire = self.expire_after <= 0
                if expire:
                    self.expire_after = None
            if expire:
                self.expire_access_tokens()
        return 200, answer

    def _cs(self, body: dict[str, Any]) -> dict[str, Any]:
        user_id = str((body.get("recipient") or {}).get("user_id") or "")
        text = (body.get("message") or {}).get("text")
        if not user_id:
            return {"error": -201, "message": "user_id is invalid!"}
        if not isinstance(text, str) or not text.strip():
            return {"error": -201, "message": "text is invalid!"}
        if len(text) > TEXT_LIMIT:
            return {"error": -210, "message": "Parameter exceeds allowable limit"}
        if user_id in self.not_following:
            return {"error": -213, "message": "User has not followed OA"}
        if user_id in self.outside_window:
            return {
                "error": -230,
                "message": "User has not interacted with the OA in the past 7 days",
            }
        message_id = f"{next(self._serial):08x}cs"
        return {
            "error": 0,
            "message": "Success",
            "data": {"message_id": message_id, "user_id": user_id},
        }

    def _zns(self, body: dict[str, Any]) -> dict[str, Any]:
        phone = str(body.get("phone") or "")
        if not _PHONE.match(phone):
            return {"error": -108, "message": "Phone number is invalid"}
        if not body.get("template_id"):
            return {"error": -109, "message": "Template ID is invalid"}
        if not isinstance(body.get("template_data"), dict):
            return {"error": -1122, "message": "Missing template parameter"}
        if phone in self.no_zalo_phones:
            return {"error": -118, "message": "Zalo account does not exist or is disabled"}
        return {
            "error": 0,
            "message": "Success",
            "data": {
                "msg_id": f"{next(self._serial):08x}zns",
                "sent_time": str(int(time.time() * 1000)),
                "quota": {"dailyQuota": "500", "remainingQuota": "499"},
            },
        }


def signature(raw_body: bytes, *, timestamp: str, app_id: str = APP_ID) -> str:
    """The X-ZEvent-Signature header Zalo puts on a webhook call."""
    digest = hashlib.sha256(app_id.encode() + raw_body + timestamp.encode() + OA_SECRET.encode())
    return "mac=" + digest.hexdigest()


def text_event(user_id: str, text: str, *, timestamp_ms: int | None = None) -> dict[str, Any]:
    """The webhook body Zalo posts when a follower writes to the OA."""
    stamp = str(timestamp_ms if timestamp_ms is not None else int(time.time() * 1000))
    return {
        "app_id": APP_ID,
        "user_id_by_app": f"app-{user_id}",
        "event_name": "user_send_text",
        "timestamp": stamp,
        "sender": {"id": user_id},
        "recipient": {"id": "579745863508352884"},
        "message": {"text": text, "msg_id": f"msg-{stamp}-{user_id}"},
    }


def file_event(
    fake: FakeZalo,
    user_id: str,
    files: list[tuple[str, bytes]],
    *,
    kind: str = "file",
    caption: str = "",
) -> dict[str, Any]:
    """The webhook body when a follower sends images (`kind="image"`) or files: each one an
    attachment whose URL the fake serves."""
    event = text_event(user_id, caption)
    attachments = []
    for name, data in files:
        file_id = f"f{len(fake.files) + 1}"
        fake.files[file_id] = data
        url = f"{fake.url}/files/{file_id}"
        payload: dict[str, Any] = {"url": url}
        if kind == "file":
            payload.update(name=name, size=str(len(data)), type=name.rsplit(".", 1)[-1])
        else:
            payload["thumbnail"] = url
        attachments.append({"type": kind, "payload": payload})
    event["event_name"] = f"user_send_{kind}"
    event["message"]["attachments"] = attachments
    return event


def _handler(fake: FakeZalo) -> type[JSONHandler]:
    routes = {
        "/v4/oa/access_token": "oauth",
        "/v3.0/oa/message/cs": "cs",
        "/message/template": "zns",
    }

    class Handler(JSONHandler):
        content_type = "application/json; charset=utf-8"

        def do_GET(self) -> None:
            file_id = self.path.split("?", 1)[0].removeprefix("/files/")
            data = fake.files.get(file_id)
            fake.downloads.append(file_id)
            if data is None:
                self.reply_json(404, {"error": 404, "message": "Not found"})
            else:
                self.reply_bytes(200, data, "application/octet-stream")

        def do_POST(self) -> None:
            raw = self.read_body()
            endpoint = routes.get(self.path.split("?", 1)[0].rstrip("/"))
            if endpoint is None:
                self.reply_json(404, {"error": 404, "message": "Not found"})
                return
            headers = {name.lower(): value for name, value in self.headers.items()}
            try:
                if endpoint == "oauth":
                    body: dict[str, Any] = dict(parse_qsl(raw.decode(), keep_blank_values=True))
                else:
                    body = json.loads(raw or b"{}")
            except (UnicodeDecodeError, json.JSONDecodeError):
                self.reply_json(200, {"error": -122, "message": "Body request is not valid JSON"})
                return
            status, answer = fake.answer(endpoint, headers, body)
            self.reply_json(status, answer)

    return Handler


@contextmanager
def running_fake_zalo() -> Iterator[FakeZalo]:
    """A fake Zalo platform listening on a free port of 127.0.0.1 for the block's duration."""
    fake = FakeZalo()
    with serving(_handler(fake)) as url:
        fake.url = url
        yield fake
