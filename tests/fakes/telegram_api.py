"""A fake Telegram Bot API on 127.0.0.1, answering over real HTTP like api.telegram.org.

python-telegram-bot is pointed at it with base_url. It records every call, enforces the real
limits (30 messages in any one-second window over all chats, one per second per chat, 20 a
minute per group: over them it answers 429
with retry_after, as Telegram does), and can be told to fail: 429, 5xx, 403, slow answers.
It serves the files people send (getFile, then /file/bot<token>/<path>); like Telegram it
refuses getFile for a file over 20 MB.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qsl, unquote

from tests.fakes.http import JSONHandler, serving, wait_until

TOKEN = "123456:TEST-TOKEN"
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "Đôn Đốc", "username": "dondoc_test_bot"}
SEND_METHODS = {"sendMessage"}
BOT_DOWNLOAD_LIMIT = 20 * 1024 * 1024
# Telegram's limits as the fake enforces them: messages in any one-second window, over all
# chats; messages a minute to one group.
OVERALL_PER_SECOND = 30
GROUP_PER_MINUTE = 20


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float
    status: int = 200


@dataclass
class Fault:
    """What the next matching send gets instead of success."""

    status: int = 500
    description: str = "Internal Server Error"
    retry_after: int | None = None
    delay: float = 0.0
    # None: any chat.
    chat_id: str | None = None
    # Deliver (record) the message and then answer slowly: a timeout after delivery.
    deliver: bool = False
    # Only for a send to a chat that already got this many messages (with `chat_id`: the
    # third part of a long message is `after=2`).
    after: int = 0


@dataclass
class FakeTelegram:
    url: str = ""
    calls: list[Call] = field(default_factory=list)
    faults: deque[Fault] = field(default_factory=deque)
    blocked_chats: set[str] = field(default_factory=set)
    missing_chats: set[str] = field(default_factory=set)
    enforce_limits: bool = True
    rate_limit_hits: int = 0
    files: dict[str, bytes] = field(default_factory=dict)
    declared_sizes: dict[str, int] = field(default_factory=dict)
    downloads: list[str] = field(default_factory=list)
    _updates: list[dict[str, Any]] = field(default_factory=list)
    _update_ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _message_ids: Iterator[int] = field(default_factory=lambda: itertools.count(1000))
    _lock: threading.Condition = field(default_factory=threading.Condition)
    _recent: deque[float] = field(default_factory=deque)
    _last_per_chat: dict[str, float] = field(default_factory=dict)
    _group_sends: dict[str, deque[float]] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        """What python-telegram-bot takes as base_url (the token is appended to it)."""
        return f"{self.url}/bot"

    def sent(self, chat_id: str | int | None = None) -> list[dict[str, Any]]:
        """Messages delivered (answered 200), optionally to one chat."""
        with self._lock:
            return [
                call.params
                for call in self.calls
                if call.method in SEND_METHODS
                and call.status == 200
                and (chat_id is None or str(call.params.get("chat_id")) == str(chat_id))
            ]

    def calls_to(self, method: str) -> list[dict[str, Any]]:
        with self._lock:
            return [call.params for call in self.calls if call.method == method]

    def push_message(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        reply_to: dict[str, Any] | None = None,
    ) -> int:
        """A person writes to the bot (`reply_to`: replying to a message the bot sent, as
        `sent()` lists it); returns the update id."""
        sender = {"id": user_id or chat_id, "is_bot": False, "first_name": "Cán bộ"}
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "Cán bộ"},
            "from": sender,
            "text": text,
        }
        if reply_to is not None:
            message["reply_to_message"] = self._message(reply_to)
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return self._push({"message": message})

    def push_file(
        self,
        chat_id: int,
        data: bytes,
        *,
        kind: str = "document",
        file_name: str = "bao-cao.pdf",
        caption: str | None = None,
        reply_to: dict[str, Any] | None = None,
        media_group_id: str | None = None,
        declared_size: int | None = None,
    ) -> int:
        """A person sends a photo or a document (as Telegram describes it: a file id and its
        size; the bytes are fetched with getFile). `reply_to` is a message the bot sent."""
        file_id = f"file{len(self.files) + 1}"
        size = len(data) if declared_size is None else declared_size
        with self._lock:
            self.files[file_id] = data
            self.declared_sizes[file_id] = size
        described = {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_size": size}
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "Cán bộ"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "Cán bộ"},
        }
        if kind == "photo":
            small = {**described, "file_id": f"{file_id}s", "width": 90, "height": 90}
            message["photo"] = [small, {**described, "width": 1280, "height": 960}]
        else:
            message["document"] = {**described, "file_name": file_name}
        if caption is not None:
            message["caption"] = caption
        if media_group_id is not None:
            message["media_group_id"] = media_group_id
        if reply_to is not None:
            message["reply_to_message"] = self._message(reply_to)
        return self._push({"message": message})

    def push_callback(self, chat_id: int, data: str, *, message_id: int = 1) -> int:
        """A person presses an inline button under one of the bot's messages."""
        sender = {"id": chat_id, "is_bot": False, "first_name": "Cán bộ"}
        return self._push(
            {
                "callback_query": {
                    "id": f"cb{next(self._update_ids)}",
                    "from": sender,
                    "chat_instance": str(chat_id),
                    "data": data,
                    "message": {
                        "message_id": message_id,
                        "date": int(time.time()),
                        "chat": {"id": chat_id, "type": "private"},
                        "from": BOT_USER,
                        "text": "Nhắc việc",
                    },
                }
            }
        )

    def update_json(self, update_id: int) -> dict[str, Any]:
        with self._lock:
            return next(u for u in self._updates if u["update_id"] == update_id)

    def wait_for(self, predicate: Any, timeout: float = 10.0) -> None:
        """Block until `predicate(self)` is true (the bot answers asynchronously)."""
        wait_until(
            lambda: predicate(self),
            timeout=timeout,
            failure="the fake Telegram server did not see the expected calls in time",
        )

    def _push(self, update: dict[str, Any]) -> int:
        with self._lock:
            update["update_id"] = next(self._update_ids)
            self._updates.append(update)
            self._lock.notify_all()
            return update["update_id"]

    # -- the server side ----------------------------------------------------------------

    def answer(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if method == "getUpdates":
            return 200, {"ok": True, "result": self._get_updates(params)}
        with self._lock:
            # Taken under the lock, so the window sees requests in the order they are counted.
            now = time.monotonic()
            call = Call(method, params, time.time())
            self.calls.append(call)
            if method not in SEND_METHODS:
                try:
                    return 200, {"ok": True, "result": self._result(method, params)}
                except _Refused as refused:
                    call.status = refused.status
                    return refused.status, {
                        "ok": False,
                        "error_code": refused.status,
                        "description": refused.description,
                    }
            chat = str(params.get("chat_id"))
            delivered = sum(
                1
                for earlier in self.calls[:-1]
                if earlier.method in SEND_METHODS
                and earlier.status == 200
                and str(earlier.params.get("chat_id")) == chat
            )
            fault = self._take_fault(chat, delivered)
            if fault is not None and not fault.deliver:
                call.status = fault.status  # not delivered, even while the answer is slow
            refusal = self._refusal(chat, now) if fault is None else None
        if fault is not None:
            if fault.delay:
                time.sleep(fault.delay)
            if fault.deliver:
                return 200, {"ok": True, "result": self._message(params)}
            body: dict[str, Any] = {
                "ok": False,
                "error_code": fault.status,
                "description": fault.description,
            }
            if fault.retry_after is not None:
                body["parameters"] = {"retry_after": fault.retry_after}
            return fault.status, body
        if refusal is not None:
            call.status = refusal[0]
            return refusal
        return 200, {"ok": True, "result": self._message(params)}

    def _take_fault(self, chat: str, delivered: int) -> Fault | None:
        for fault in list(self.faults):
            if (fault.chat_id is None or fault.chat_id == chat) and delivered >= fault.after:
                self.faults.remove(fault)
                return fault
        return None

    def _refusal(self, chat: str, now: float) -> tuple[int, dict[str, Any]] | None:
        if chat in self.blocked_chats:
            return 403, {
                "ok": False,
                "error_code": 403,
                "description": "Forbidden: bot was blocked by the user",
            }
        if chat in self.missing_chats:
            return 400, {
                "ok": False,
                "error_code": 400,
                "description": "Bad Request: chat not found",
            }
        if self.enforce_limits:
            # A sliding one-second window over every message request (refused ones count
            # too), whichever connection or process it came from.
            while self._recent and now - self._recent[0] >= 1.0:
                self._recent.popleft()
            over = len(self._recent) >= OVERALL_PER_SECOND
            self._recent.append(now)
            last = self._last_per_chat.get(chat)
            # A little slack for clock jitter between the two processes.
            too_soon = last is not None and now - last < 0.95
            group = self._group_sends.setdefault(chat, deque()) if chat.startswith("-") else None
            if group is not None:
                while group and now - group[0] >= 60.0:
                    group.popleft()
                too_soon = too_soon or len(group) >= GROUP_PER_MINUTE
            if over or too_soon:
                self.rate_limit_hits += 1
                return 429, {
                    "ok": False,
                    "error_code": 429,
                    "description": "Too Many Requests: retry after 1",
                    "parameters": {"retry_after": 1},
                }
            self._last_per_chat[chat] = now
            if group is not None:
                group.append(now)
        return None

    def _message(self, params: dict[str, Any]) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": int(params["chat_id"]), "type": "private"},
            "from": BOT_USER,
            "text": params.get("text", ""),
        }
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        return message

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method in {"editMessageText", "editMessageReplyMarkup"}:
            return self._message({"chat_id": params.get("chat_id", 0), **params})
        if method == "getFile":
            file_id = str(params.get("file_id"))
            if file_id not in self.files:
                raise _Refused(400, "Bad Request: invalid file_id")
            if self.declared_sizes[file_id] > BOT_DOWNLOAD_LIMIT:
                raise _Refused(400, "Bad Request: file is too big")
            return {
                "file_id": file_id,
                "file_unique_id": f"u{file_id}",
                "file_size": self.declared_sizes[file_id],
                "file_path": f"documents/{file_id}",
            }
        if method == "getWebhookInfo":
            return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
        return True

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        timeout = min(float(params.get("timeout") or 0), 2.0)
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                pending = [u for u in self._updates if u["update_id"] >= offset]
                remaining = deadline - time.monotonic()
                if pending or remaining <= 0:
                    return pending
                self._lock.wait(remaining)


class _Refused(Exception):
    def __init__(self, status: int, description: str) -> None:
        self.status, self.description = status, description


def _parse_params(content_type: str, raw: bytes) -> dict[str, Any]:
    if not raw:
        return {}
    if content_type.startswith("application/json"):
        return json.loads(raw)
    if content_type.startswith("multipart/form-data"):
        message = BytesParser(policy=HTTP).parsebytes(
            b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + raw
        )
        fields = {
            part.get_param("name", header="content-disposition"): part.get_content()
            for part in message.iter_parts()
        }
    else:
        fields = dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
    # python-telegram-bot sends nested values (reply_markup, ...) as JSON strings.
    parsed: dict[str, Any] = {}
    for name, value in fields.items():
        text = value.decode() if isinstance(value, bytes) else str(value)
        try:
            parsed[name] = json.loads(text) if text[:1] in "{[" else text
        except json.JSONDecodeError:
            parsed[name] = text
    return parsed


def _handler(fake: FakeTelegram) -> type[JSONHandler]:
    class Handler(JSONHandler):
        def do_POST(self) -> None:
            self._handle()

        def do_GET(self) -> None:
            self._handle()

        def _handle(self) -> None:
            raw = self.read_body()
            path = unquote(self.path.split("?", 1)[0]).strip("/")
            if path.startswith(f"file/bot{TOKEN}/documents/"):
                file_id = path.rsplit("/", 1)[-1]
                with fake._lock:
                    data = fake.files.get(file_id)
                    fake.downloads.append(file_id)
                if data is None:
                    self.reply_json(404, {"ok": False, "error_code": 404})
                else:
                    self.reply_bytes(200, data, "application/octet-stream")
                return
            prefix, _, method = path.partition("/")
            if prefix != f"bot{TOKEN}":
                self.reply_json(
                    401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
                )
                return
            params = _parse_params(self.headers.get("Content-Type", ""), raw)
            status, body = fake.answer(method, params)
            self.reply_json(status, body)

    return Handler


@contextmanager
def running_fake_telegram() -> Iterator[FakeTelegram]:
    """A fake Bot API listening on a free port of 127.0.0.1 for the block's duration."""
    fake = FakeTelegram()
    with serving(_handler(fake)) as url:
        fake.url = url
        yield fake
