"""Zalo Official Account sender: consultation messages inside Zalo's interaction window,
a ZNS template message to the person's phone outside it.

Zalo lets an OA write freely (a "tin tư vấn") only to a follower who interacted with it in
the last 7 days; after that only an approved ZNS template, addressed by phone number, gets
through. The ZNS template this deployment registers takes three parameters: `name` (the
person's full name), `count` (how many assignments the digest covers) and `date`
(dd/mm/yyyy, the digest's day).

What Zalo's error codes mean for the outbox row is in zalo_errors.py.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import Engine

from tracker.config import ZaloSettings
from tracker.db import utcnow
from tracker.notify.base import (
    Delivery,
    DeliveryError,
    MaybeDelivered,
    Outgoing,
    PermanentFailure,
    RateLimitedByChannel,
    TemporaryFailure,
)
from tracker.notify.retry_after import retry_after_seconds
from tracker.notify.text import split_message, to_plain
from tracker.notify.zalo_errors import (
    RATE_LIMIT_WAIT_SECONDS,
    Outcome,
    OutsideWindow,
    classify,
    error_code,
    failure,
)
from tracker.notify.zalo_tokens import ZaloTokenStore
from tracker.vn_dates import vn_date

log = logging.getLogger(__name__)

# A consultation text message carries at most 2,000 characters.
TEXT_LIMIT = 2000
NAME_LIMIT = 30  # ZNS string parameters are short; a name longer than this is refused.


NO_TEMPLATE = (
    "Ngoài khung tương tác Zalo và chưa có mẫu ZNS: người dùng cần nhắn cho OA "
    "(hoặc quản trị viên cấu hình TRACKER_ZALO_ZNS_TEMPLATE_ID)"
)
NO_PHONE = (
    "Ngoài khung tương tác Zalo và tài khoản chưa có số điện thoại để gửi ZNS: người dùng "
    "cần nhắn cho OA (hoặc quản trị viên thêm số điện thoại)"
)


def normalize_phone(raw: str) -> str | None:
    """A Vietnamese phone number as Zalo wants it (84912345678), or None if it is not one."""
    digits = re.sub(r"[\s.\-()]", "", raw or "")
    if digits.startswith("+"):
        digits = digits[1:]
    if digits.startswith("0"):
        digits = "84" + digits[1:]
    return digits if re.fullmatch(r"84\d{9,10}", digits) else None


class ZaloSender:
    """The Zalo channel's Sender: OA API v3 and ZNS over httpx."""

    channel = "zalo"

    def __init__(
        self,
        settings: ZaloSettings,
        engine: Engine,
        *,
        timezone: str = "Asia/Ho_Chi_Minh",
        clock: Callable[[], datetime] = utcnow,
        client: httpx.Client | None = None,
    ) -> None:
        self._settings = settings
        self._zone = ZoneInfo(timezone)
        self._clock = clock
        timeout = settings.timeout_seconds
        self._client = client or httpx.Client(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0))
        )
        self.tokens = ZaloTokenStore(settings, engine, self._client, clock=clock)

    def send(self, message: Outgoing) -> Delivery:
        """Deliver `message` as consultation texts or as one ZNS template message."""
        try:
            return self._deliver(message)
        except DeliveryError:
            raise
        except Exception as error:
            # The Sender contract: nothing escapes raw. A request that may have left is
            # already MaybeDelivered (_post); this is the work around it (the database, the
            # template's data), so nothing left because of it.
            log.exception("unexpected error sending Zalo message %s", message.message_id)
            raise TemporaryFailure(
                f"Lỗi không lường trước khi gửi Zalo: {error!r}", parts_sent=message.parts_sent
            ) from error

    def _deliver(self, message: Outgoing) -> Delivery:
        if self._in_window(message.last_interaction_at):
            try:
                return self._send_texts(message)
            except OutsideWindow as outside:
                # Zalo's clock says the window closed: the template may still reach them.
                if self._can_use_zns(message):
                    return self._send_zns(message)
                raise PermanentFailure(
                    f"{self._why_no_zns(message)}; {outside.reason}", parts_sent=outside.parts_sent
                ) from None
        if self._can_use_zns(message):
            return self._send_zns(message)
        raise PermanentFailure(
            self._why_no_zns(message), link_is_dead=False, parts_sent=message.parts_sent
        )

    def send_html(self, user_id: str, body: str) -> Delivery:
        """A Telegram-HTML `body` as consultation texts to a follower who just wrote to the
        OA (the webhook's replies)."""
        return self._send_texts(
            Outgoing(message_id=0, channel=self.channel, address=user_id, subject="", body=body)
        )

    def close(self) -> None:
        self._client.close()

    # -- consultation messages ----------------------------------------------------------

    def _in_window(self, last_interaction_at: datetime | None) -> bool:
        if last_interaction_at is None:
            return False
        window = timedelta(days=self._settings.interaction_window_days)
        return self._clock() - last_interaction_at < window

    def _send_texts(self, message: Outgoing) -> Delivery:
        parts = [to_plain(part) for part in split_message(message.body, TEXT_LIMIT)]
        external_id: str | None = None
        for index in range(message.parts_sent, len(parts)):
            try:
                external_id = self._post_text(message.address, parts[index], parts_sent=index)
            except DeliveryError:
                raise
            except Exception as error:  # the parts before this one did arrive
                raise TemporaryFailure(
                    f"Lỗi không lường trước khi gửi Zalo: {error!r}", parts_sent=index
                ) from error
            if index + 1 < len(parts) and message.on_part is not None:
                message.on_part(index + 1)  # committed before the next part leaves
        return Delivery(external_id, parts_sent=len(parts))

    def _post_text(self, user_id: str, text: str, *, parts_sent: int) -> str | None:
        body = {"recipient": {"user_id": user_id}, "message": {"text": _nfc(text)}}
        data = self._call(
            f"{self._settings.api_url.rstrip('/')}/v3.0/oa/message/cs", body, parts_sent=parts_sent
        )
        return _id_of(data, "message_id")

    # -- ZNS ----------------------------------------------------------------------------

    def _can_use_zns(self, message: Outgoing) -> bool:
        return bool(self._settings.zns_template_id and message.phone)

    def _why_no_zns(self, message: Outgoing) -> str:
        return NO_TEMPLATE if not self._settings.zns_template_id else NO_PHONE

    def _send_zns(self, message: Outgoing) -> Delivery:
        phone = normalize_phone(message.phone or "")
        if phone is None:
            raise PermanentFailure(f"Số điện thoại {message.phone!r} không hợp lệ để gửi ZNS")
        body = {
            "phone": phone,
            "template_id": self._settings.zns_template_id,
            "template_data": self._template_data(message),
            "tracking_id": str(message.message_id),
        }
        data = self._call(f"{self._settings.zns_url.rstrip('/')}/message/template", body)
        return Delivery(_id_of(data, "msg_id"), parts_sent=1)

    def _template_data(self, message: Outgoing) -> dict[str, str]:
        assignments = {item.get("assignment_id") for item in message.items} - {None}
        return {
            "name": _nfc(message.recipient_name or "anh/chị")[:NAME_LIMIT],
            "count": str(len(assignments) or len(message.items)),
            "date": vn_date(self._clock().astimezone(self._zone)),
        }

    # -- one API call -------------------------------------------------------------------

    def _call(self, url: str, body: dict[str, Any], *, parts_sent: int = 0) -> dict[str, Any]:
        """POST `body` with the access token; the answer's `data`, or a DeliveryError.
        An invalid token is refreshed and the call made once more."""
        token = self._token(self.tokens.access_token, parts_sent)
        for attempt in range(2):
            answer = self._post(url, body, token, parts_sent=parts_sent)
            code = error_code(answer)
            if code == 0:
                data = answer.get("data")
                return data if isinstance(data, dict) else {}
            outcome, reason = classify(code)
            reason = f"{reason} (mã {code}: {answer.get('message', '')})"
            if outcome is Outcome.TOKEN and attempt == 0:
                log.info("Zalo refused the access token (%s); refreshing", code)
                token = self._token(partial(self.tokens.after_rejection, token), parts_sent)
                continue
            raise failure(outcome, reason, parts_sent=parts_sent)
        raise AssertionError("unreachable")

    @staticmethod
    def _token(get: Callable[[], str], parts_sent: int) -> str:
        try:
            return get()
        except TemporaryFailure as error:
            raise TemporaryFailure(error.reason, parts_sent=parts_sent) from error

    def _post(self, url: str, body: dict[str, Any], token: str, *, parts_sent: int) -> Any:
        try:
            response = self._client.post(url, json=body, headers={"access_token": token})
        except httpx.ReadTimeout as error:
            # The request went out; Zalo may have delivered it.
            raise MaybeDelivered(
                f"Zalo không trả lời trong {self._settings.timeout_seconds:g} giây sau khi "
                "nhận tin: có thể đã gửi",
                parts_sent=parts_sent,
            ) from error
        except httpx.TimeoutException as error:
            raise TemporaryFailure(
                f"Hết thời gian kết nối Zalo: {type(error).__name__}", parts_sent=parts_sent
            ) from error
        except httpx.HTTPError as error:
            raise TemporaryFailure(
                f"Không kết nối được Zalo: {error!r}", parts_sent=parts_sent
            ) from error
        if response.status_code == 429:
            raise RateLimitedByChannel(
                "Zalo: HTTP 429, quá nhiều yêu cầu",
                retry_after=retry_after_seconds(
                    response.headers.get("Retry-After"),
                    default=RATE_LIMIT_WAIT_SECONDS,
                    at_least=1.0,
                ),
                parts_sent=parts_sent,
            )
        if response.status_code >= 500:
            raise TemporaryFailure(f"Zalo lỗi HTTP {response.status_code}", parts_sent=parts_sent)
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            reason = f"Zalo trả lời không đúng định dạng (HTTP {response.status_code})"
            if response.status_code < 400:
                # Zalo took the request and said something we cannot read: it may have sent.
                raise MaybeDelivered(f"{reason}: có thể đã gửi", parts_sent=parts_sent)
            raise TemporaryFailure(reason, parts_sent=parts_sent)
        if response.status_code >= 400 and error_code(answer) == 0:
            raise TemporaryFailure(f"Zalo lỗi HTTP {response.status_code}", parts_sent=parts_sent)
        return answer


def _id_of(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    return str(value) if value is not None else None


def _nfc(text: str) -> str:
    # Zalo counts characters of the NFC form; decomposed Vietnamese would count double.
    return unicodedata.normalize("NFC", text)
