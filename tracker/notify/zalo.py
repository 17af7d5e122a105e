"""Zalo Official Account sender: consultation messages inside Zalo's interaction window,
a ZNS template message to the person's phone outside it.

Zalo lets an OA write freely (a "tin tư vấn") only to a follower who interacted with it in
the last 7 days; after that only an approved ZNS template, addressed by phone number, gets
through. The ZNS template this deployment registers takes three parameters: `name` (the
person's full name), `count` (how many assignments the digest covers) and `date`
(dd/mm/yyyy, the digest's day).

Zalo answers application errors with HTTP 200 and a negative `error`; ZALO_ERRORS says what
each one means for the outbox row.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from enum import Enum
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import Engine, select

from tracker.accounts.models import User
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
from tracker.notify.text import split_message, to_plain
from tracker.notify.zalo_tokens import ZaloTokenStore
from tracker.reminders.models import OutboxMessage

log = logging.getLogger(__name__)

# A consultation text message carries at most 2,000 characters.
TEXT_LIMIT = 2000
# Zalo's per-minute API quota resets each minute.
RATE_LIMIT_WAIT_SECONDS = 60.0
NAME_LIMIT = 30  # ZNS string parameters are short; a name longer than this is refused.


class Outcome(Enum):
    TOKEN = "token"  # refresh the access token and try once more
    RATE = "rate"  # the channel asks us to slow down
    TEMPORARY = "temporary"  # try again later with back-off
    PERMANENT = "permanent"  # never retried; the link stays usable
    DEAD = "dead"  # never retried; the follower is gone, so the link is marked inactive
    WINDOW = "window"  # outside the interaction window: a ZNS template may still reach them


# Every Zalo error code we act on, and what the admin page says. Unknown negative codes are
# treated as temporary: back-off and the attempt limit bound the cost of being wrong.
ZALO_ERRORS: dict[int, tuple[Outcome, str]] = {
    # --- OA API v3 (openapi.zalo.me) ---
    # The app or the OA exceeded its requests per minute.
    -32: (Outcome.RATE, "Zalo: vượt giới hạn số lần gọi API mỗi phút"),
    # A generic "send message failed" on Zalo's side.
    -200: (Outcome.TEMPORARY, "Zalo: gửi tin thất bại (lỗi phía Zalo)"),
    # A field of our request is invalid: retrying the same request cannot help.
    -201: (Outcome.PERMANENT, "Zalo: tham số không hợp lệ"),
    # The OA was deleted or does not exist: configuration, fixed by an admin.
    -204: (Outcome.TEMPORARY, "Zalo: Official Account đã bị vô hiệu hóa (kiểm tra cấu hình)"),
    -205: (Outcome.TEMPORARY, "Zalo: Official Account không tồn tại (kiểm tra cấu hình)"),
    # The app is not activated or not registered for the OA API: configuration.
    -209: (Outcome.TEMPORARY, "Zalo: ứng dụng chưa được kích hoạt (kiểm tra cấu hình)"),
    -212: (Outcome.TEMPORARY, "Zalo: ứng dụng chưa đăng ký Official Account API"),
    # A value too long for Zalo (a text over 2,000 characters).
    -210: (Outcome.PERMANENT, "Zalo: tham số vượt giới hạn cho phép"),
    # The OA ran out of its quota for this feature: later, maybe tomorrow.
    -211: (Outcome.TEMPORARY, "Zalo: hết hạn mức sử dụng tính năng"),
    # The person unfollowed the OA (or never followed it).
    -213: (Outcome.DEAD, "Zalo: người dùng chưa quan tâm hoặc đã bỏ quan tâm OA"),
    # The access token is invalid or expired: refresh it and retry once.
    -216: (Outcome.TOKEN, "Zalo: access token không hợp lệ"),
    -220: (Outcome.TOKEN, "Zalo: access token đã hết hạn hoặc bị thu hồi"),
    # This person already received the most messages Zalo allows for now.
    -218: (Outcome.TEMPORARY, "Zalo: người nhận đã hết hạn mức nhận tin"),
    # The app was removed or disabled, or the OA has not granted it: configuration.
    -219: (Outcome.TEMPORARY, "Zalo: ứng dụng đã bị gỡ hoặc vô hiệu hóa (kiểm tra cấu hình)"),
    -223: (Outcome.TEMPORARY, "Zalo: OA chưa cấp quyền cho ứng dụng (kiểm tra cấu hình)"),
    # The Zalo account is banned or has not been used for 45 days.
    -227: (Outcome.DEAD, "Zalo: tài khoản bị khóa hoặc không hoạt động quá 45 ngày"),
    # Outside the interaction window (no message from the person for 7 days).
    -230: (Outcome.WINDOW, "Zalo: người dùng không tương tác với OA trong 7 ngày qua"),
    -232: (Outcome.WINDOW, "Zalo: người dùng chưa tương tác hoặc tương tác đã hết hạn"),
    # Zalo does not accept this kind of message from this OA.
    -233: (Outcome.PERMANENT, "Zalo: loại tin nhắn không hợp lệ hoặc không được hỗ trợ"),
    # This kind of message cannot go out between 22:00 and 06:00: later.
    -234: (Outcome.TEMPORARY, "Zalo: không gửi loại tin này vào ban đêm (22h-6h)"),
    # The person turned off this kind of message from our OA.
    -244: (Outcome.DEAD, "Zalo: người dùng đã chặn loại tin này từ OA"),
    # --- ZNS template messages (business.openapi.zalo.me) ---
    # Zalo's own unknown error: "retry later".
    -100: (Outcome.TEMPORARY, "Zalo ZNS: lỗi không xác định, thử lại sau"),
    # The phone number is not a valid Vietnamese number.
    -108: (Outcome.PERMANENT, "Zalo ZNS: số điện thoại không hợp lệ"),
    # The configured template id is wrong, or not approved, or not ours: configuration.
    -109: (Outcome.TEMPORARY, "Zalo ZNS: mã mẫu ZNS không hợp lệ (TRACKER_ZALO_ZNS_TEMPLATE_ID)"),
    -117: (Outcome.TEMPORARY, "Zalo ZNS: OA không có quyền dùng mẫu ZNS này"),
    -131: (Outcome.TEMPORARY, "Zalo ZNS: mẫu ZNS chưa được duyệt"),
    # The person cannot receive ZNS (account state, opted out, old Zalo version).
    -114: (Outcome.PERMANENT, "Zalo ZNS: người dùng không nhận được tin"),
    -119: (Outcome.PERMANENT, "Zalo ZNS: tài khoản không nhận được tin"),
    -139: (Outcome.PERMANENT, "Zalo ZNS: người dùng từ chối nhận loại tin này"),
    -141: (Outcome.PERMANENT, "Zalo ZNS: người dùng từ chối nhận tin từ OA"),
    # Out of ZNS quota or balance, or the OA's daily ZNS limit: later.
    -115: (Outcome.TEMPORARY, "Zalo ZNS: hết hạn mức hoặc số dư ZNS"),
    -144: (Outcome.TEMPORARY, "Zalo ZNS: OA đã gửi hết hạn mức ZNS trong ngày"),
    # No Zalo account uses this phone number.
    -118: (Outcome.PERMANENT, "Zalo ZNS: số điện thoại chưa có tài khoản Zalo"),
    # Our template_data does not fit the template: retrying the same data cannot help.
    -1121: (Outcome.PERMANENT, "Zalo ZNS: dữ liệu mẫu vượt độ dài cho phép"),
    -1122: (Outcome.PERMANENT, "Zalo ZNS: thiếu tham số của mẫu ZNS"),
    -1124: (Outcome.PERMANENT, "Zalo ZNS: tham số mẫu ZNS sai định dạng"),
    -132: (Outcome.PERMANENT, "Zalo ZNS: tham số không hợp lệ"),
    # ZNS's access token error: refresh and retry once.
    -124: (Outcome.TOKEN, "Zalo ZNS: access token không hợp lệ"),
    # This template may not be sent at night: later.
    -133: (Outcome.TEMPORARY, "Zalo ZNS: không gửi mẫu này vào ban đêm (22h-6h)"),
}

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
        self._engine = engine
        self._zone = ZoneInfo(timezone)
        self._clock = clock
        timeout = settings.timeout_seconds
        self._client = client or httpx.Client(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0))
        )
        self.tokens = ZaloTokenStore(settings, engine, self._client, clock=clock)

    def send(self, message: Outgoing) -> Delivery:
        """Deliver `message` as consultation texts or as one ZNS template message."""
        if self._in_window(message.last_interaction_at):
            try:
                return self._send_texts(message)
            except _OutsideWindow as outside:
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
        if last_interaction_at.tzinfo is None:
            last_interaction_at = last_interaction_at.replace(tzinfo=UTC)
        window = timedelta(days=self._settings.interaction_window_days)
        return self._clock() - last_interaction_at < window

    def _send_texts(self, message: Outgoing) -> Delivery:
        parts = [to_plain(part) for part in split_message(message.body, TEXT_LIMIT)]
        external_id: str | None = None
        for index in range(message.parts_sent, len(parts)):
            external_id = self._post_text(message.address, parts[index], parts_sent=index)
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
            "name": _nfc(self._recipient_name(message.message_id))[:NAME_LIMIT],
            "count": str(len(assignments) or len(message.items)),
            "date": self._clock().astimezone(self._zone).strftime("%d/%m/%Y"),
        }

    def _recipient_name(self, message_id: int) -> str:
        with self._engine.connect() as connection:
            name = connection.execute(
                select(User.full_name)
                .join(OutboxMessage, OutboxMessage.user_id == User.id)  # type: ignore[arg-type]
                .where(OutboxMessage.id == message_id)
            ).scalar()
        return name or "anh/chị"

    # -- one API call -------------------------------------------------------------------

    def _call(self, url: str, body: dict[str, Any], *, parts_sent: int = 0) -> dict[str, Any]:
        """POST `body` with the access token; the answer's `data`, or a DeliveryError.
        An invalid token is refreshed and the call made once more."""
        token = self._token(self.tokens.access_token, parts_sent)
        for attempt in range(2):
            answer = self._post(url, body, token, parts_sent=parts_sent)
            code = _error_code(answer)
            if code == 0:
                data = answer.get("data")
                return data if isinstance(data, dict) else {}
            outcome, reason = ZALO_ERRORS.get(code, (Outcome.TEMPORARY, "Zalo: lỗi chưa rõ"))
            reason = f"{reason} (mã {code}: {answer.get('message', '')})"
            if outcome is Outcome.TOKEN and attempt == 0:
                log.info("Zalo refused the access token (%s); refreshing", code)
                token = self._token(partial(self.tokens.after_rejection, token), parts_sent)
                continue
            raise _failure(outcome, reason, parts_sent=parts_sent)
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
                retry_after=_retry_after(response),
                parts_sent=parts_sent,
            )
        if response.status_code >= 500:
            raise TemporaryFailure(f"Zalo lỗi HTTP {response.status_code}", parts_sent=parts_sent)
        try:
            answer = response.json()
        except ValueError:
            raise TemporaryFailure(
                f"Zalo trả lời không phải JSON (HTTP {response.status_code})",
                parts_sent=parts_sent,
            ) from None
        if not isinstance(answer, dict):
            raise TemporaryFailure("Zalo trả lời không đúng định dạng", parts_sent=parts_sent)
        if response.status_code >= 400 and _error_code(answer) == 0:
            raise TemporaryFailure(f"Zalo lỗi HTTP {response.status_code}", parts_sent=parts_sent)
        return answer


class _OutsideWindow(PermanentFailure):
    """-230/-232 on a consultation message: the caller may fall back to ZNS."""


def _failure(outcome: Outcome, reason: str, *, parts_sent: int) -> DeliveryError:
    if outcome is Outcome.RATE:
        return RateLimitedByChannel(
            reason, retry_after=RATE_LIMIT_WAIT_SECONDS, parts_sent=parts_sent
        )
    if outcome is Outcome.DEAD:
        return PermanentFailure(reason, link_is_dead=True, parts_sent=parts_sent)
    if outcome is Outcome.WINDOW:
        return _OutsideWindow(reason, parts_sent=parts_sent)
    if outcome is Outcome.PERMANENT:
        return PermanentFailure(reason, parts_sent=parts_sent)
    if outcome is Outcome.TOKEN:
        return TemporaryFailure(f"{reason}, cả sau khi làm mới", parts_sent=parts_sent)
    return TemporaryFailure(reason, parts_sent=parts_sent)


def _error_code(answer: dict[str, Any]) -> int:
    try:
        return int(answer.get("error", 0) or 0)
    except (TypeError, ValueError):
        return -1


def _id_of(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    return str(value) if value is not None else None


def _retry_after(response: httpx.Response) -> float:
    try:
        return max(1.0, float(response.headers.get("Retry-After", "")))
    except ValueError:
        return RATE_LIMIT_WAIT_SECONDS


def _nfc(text: str) -> str:
    # Zalo counts characters of the NFC form; decomposed Vietnamese would count double.
    return unicodedata.normalize("NFC", text)
