"""The words of a reminder digest: its body (Telegram's HTML subset) and an e-mail subject.

Rendered with a standalone Jinja environment on templates/notifications/, not Flask's
render_template: planning also runs from the scheduler and the benchmark, without an app.
Autoescape is on, so task text typed by people arrives escaped. Every line of a body closes
its own tags, which tracker.notify.text.split_message relies on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from functools import cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import escape

from tracker.config import PROJECT_ROOT
from tracker.notify.channels import Channel
from tracker.reminders.models import Rule
from tracker.vn_dates import vn_date

# The order a digest reads in: the most pressing first.
RULE_ORDER: tuple[Rule, ...] = (
    Rule.ESCALATION,
    Rule.UNIT_ESCALATION,
    Rule.OVERDUE,
    Rule.DUE_TODAY,
    Rule.BEFORE_DUE,
    Rule.PERIOD_REPORT,
    Rule.NEW,
    Rule.EXTENSION_APPROVED,
    Rule.EXTENSION_REFUSED,
)
RULE_RANK: dict[str, int] = {rule.value: rank for rank, rule in enumerate(RULE_ORDER)}
HEADINGS: dict[str, str] = {
    Rule.ESCALATION: "Quá hạn từ {days} ngày làm việc trở lên (báo cáo lãnh đạo)",
    Rule.UNIT_ESCALATION: "Quá hạn từ {days} ngày làm việc trở lên (báo cáo trưởng đơn vị)",
    Rule.OVERDUE: "Quá hạn",
    Rule.DUE_TODAY: "Đến hạn hôm nay",
    Rule.BEFORE_DUE: "Sắp đến hạn",
    Rule.PERIOD_REPORT: "Báo cáo định kỳ",
    Rule.NEW: "Nhiệm vụ mới được giao",
    Rule.EXTENSION_APPROVED: "Đề nghị gia hạn đã được duyệt",
    Rule.EXTENSION_REFUSED: "Đề nghị gia hạn không được duyệt",
}
# The assignment page is ASSIGNMENT_PATH + id, as tracker/assignments/views.py routes it
# (checked by a test).
ASSIGNMENT_PATH = "/nhiem-vu/"
TELEGRAM_HINT = "Bấm nút bên dưới để báo cáo, hoặc gõ /viec để xem việc đang mở."
TEXT_LIMIT = 160


@cache
def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(PROJECT_ROOT / "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        undefined=StrictUndefined,
        # Read once per process: planning renders thousands of digests in a row.
        auto_reload=False,
    )
    environment.filters["vn_date"] = vn_date
    return environment


def assignment_url(base_url: str, assignment_id: int) -> str:
    """The assignment's page on the web."""
    return f"{base_url.rstrip('/')}{ASSIGNMENT_PATH}{assignment_id}"


def group_items(items: Sequence[Mapping[str, Any]]) -> list[tuple[str, list[Mapping[str, Any]]]]:
    """(heading, items) in reading order; items keep the order they came in."""
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for item in sorted(items, key=lambda item: RULE_RANK.get(item["rule"], len(RULE_RANK))):
        groups.setdefault(item["rule"], []).append(item)
    result = []
    for rule, members in groups.items():
        heading = HEADINGS.get(rule, rule)
        if "{days}" in heading:
            heading = heading.format(days=min(int(item["days"] or 0) for item in members))
        result.append((heading, members))
    return result


def render_digest(
    *,
    name: str,
    day: date,
    items: Sequence[Mapping[str, Any]],
    channel: str,
    base_url: str,
    show_unit: bool = False,
) -> str:
    """The digest a person reads on `day`; `show_unit` names each item's unit (for heads)."""
    actionable = any(item.get("actionable") for item in items)
    return (
        _environment()
        .get_template("notifications/digest.html")
        .render(
            name=name,
            day=day,
            today=day.isoformat(),
            count=len({item["assignment_id"] for item in items}),
            groups=group_items(items),
            show_unit=show_unit,
            link=base_url.rstrip("/") + ASSIGNMENT_PATH,
            base_url=base_url,
            hint=TELEGRAM_HINT if channel == Channel.TELEGRAM and actionable else "",
        )
        .strip()
    )


def digest_subject(*, day: date, items: Sequence[Mapping[str, Any]]) -> str:
    """The e-mail subject: how many assignments need attention, and the day."""
    count = len({item["assignment_id"] for item in items})
    return f"Đôn Đốc: {count} nhiệm vụ cần chú ý ngày {vn_date(day)}"


def render_explanation_request(
    *, by: str, codes: Sequence[str], message: str, url: str, channel: str
) -> str:
    """The chat message of an explanation request: who asks, about which tasks, and the one
    page where the unit answers (Telegram HTML; the other channels strip the tags)."""
    shown = ", ".join(codes[:20]) + (", …" if len(codes) > 20 else "")
    lines = [
        f"<b>{escape(by)} yêu cầu giải trình về {len(codes)} nhiệm vụ quá hạn</b>",
        f"Nhiệm vụ: {escape(shown)}",
    ]
    if message:
        lines.append(f"Nội dung: {escape(message)}")
    lines.append(f'Trả lời tại: <a href="{escape(url)}">{escape(url)}</a>')
    return "\n".join(lines)
