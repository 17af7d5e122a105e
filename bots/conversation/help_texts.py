"""What the bot tells a person who needs guidance: how to link, the commands, a stray text."""

from __future__ import annotations

from bots.conversation.replies import esc
from bots.conversation.turn import Turn

COMMANDS_HELP = (
    "/viec: nhiệm vụ đang mở\n"
    "/quahan: nhiệm vụ quá hạn\n"
    "/giaitrinh: yêu cầu giải trình đang chờ; /giaitrinh mã nội dung: trả lời một yêu cầu\n"
    "/huy: hủy liên kết, ngừng nhận nhắc việc tại đây\n"
    "/trogiup: hướng dẫn"
)
HELP_TEXT = (
    "<b>Đôn Đốc</b> nhắc việc và nhận báo cáo tiến độ.\n"
    f"{COMMANDS_HELP}\n"
    "Dưới mỗi tin nhắc việc có các nút: Hoàn thành, Báo cáo %, Xin gia hạn.\n"
    "Gửi ảnh hoặc tệp (PDF, Word, Excel) để đính kèm minh chứng; chú thích là ghi chú. "
    "Trả lời (trích dẫn) một tin nhắc việc để đính kèm vào đúng nhiệm vụ đó."
)


def how_to_link(turn: Turn) -> str:
    """The steps to link this chat account, for a chat that is not linked yet."""
    start = " /start MÃ hoặc chỉ" if turn.channel == "telegram" else ""
    return (
        f"Tài khoản {turn.channel_name} này chưa liên kết với Đôn Đốc.\n"
        f"Để liên kết: đăng nhập Đôn Đốc trên web ({esc(turn.settings.base_url)}/ho-so), "
        "mở trang <b>Hồ sơ cá nhân</b>, bấm <b>Lấy mã liên kết</b>, rồi gửi"
        f"{start} mã đó vào đây. Mã dùng được một lần, trong 15 phút."
    )


def stray_text(text: str) -> str:
    """The answer to a text that is no command, no code and no answer to a question."""
    hint = ""
    # A leading digit looks like a percent or a date typed before pressing the button.
    if text[:1].isdigit():
        hint = (
            "Muốn báo cáo tiến độ hay xin gia hạn? Bấm nút “Báo cáo %” hoặc “Xin gia hạn” "
            "dưới tin nhắc việc (hoặc trong /viec) trước, rồi mới nhập.\n"
        )
    return f"Đôn Đốc chưa hiểu tin nhắn này.\n{hint}Các lệnh dùng được:\n{COMMANDS_HELP}"
