"""What Zalo's answers mean for an outbox row: its error codes, and the failure each becomes.

Zalo answers application errors with HTTP 200 and a negative `error`; ZALO_ERRORS says what
each one means for the outbox row.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from tracker.notify.base import (
    DeliveryError,
    PermanentFailure,
    RateLimitedByChannel,
    TemporaryFailure,
)

# Zalo's per-minute API quota resets each minute.
RATE_LIMIT_WAIT_SECONDS = 60.0


class Outcome(Enum):
    """What a Zalo error means for the outbox row."""

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


def classify(code: int) -> tuple[Outcome, str]:
    """The outcome of Zalo's error `code` and what the admin page says about it."""
    return ZALO_ERRORS.get(code, (Outcome.TEMPORARY, "Zalo: lỗi chưa rõ"))


class OutsideWindow(PermanentFailure):
    """-230/-232 on a consultation message: the caller may fall back to ZNS."""


def failure(outcome: Outcome, reason: str, *, parts_sent: int) -> DeliveryError:
    """The DeliveryError to raise for `outcome` (a TOKEN one was refused again after a refresh)."""
    if outcome is Outcome.RATE:
        return RateLimitedByChannel(
            reason, retry_after=RATE_LIMIT_WAIT_SECONDS, parts_sent=parts_sent
        )
    if outcome is Outcome.DEAD:
        return PermanentFailure(reason, link_is_dead=True, parts_sent=parts_sent)
    if outcome is Outcome.WINDOW:
        return OutsideWindow(reason, parts_sent=parts_sent)
    if outcome is Outcome.PERMANENT:
        return PermanentFailure(reason, parts_sent=parts_sent)
    if outcome is Outcome.TOKEN:
        return TemporaryFailure(f"{reason}, cả sau khi làm mới", parts_sent=parts_sent)
    return TemporaryFailure(reason, parts_sent=parts_sent)


def error_code(answer: dict[str, Any]) -> int:
    """Zalo's `error` in an answer: 0 on success, -1 when it is not a number."""
    try:
        return int(answer.get("error", 0) or 0)
    except (TypeError, ValueError):
        return -1
