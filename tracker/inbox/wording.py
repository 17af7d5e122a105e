"""The words of an inbox entry, rendered when it is read, in the reader's language.

An entry stores its topic and parameters, not its sentence: the English interface reads it in
English (with plural forms), the Vietnamese one in Vietnamese. `vietnamese()` renders the same
words without an application, for the outbox row's subject (the admin's delivery page).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from tracker.inbox.models import Topic
from tracker.vn_dates import vn_date

Gettext = Callable[..., str]
Ngettext = Callable[..., str]
# An entry names at most this many task codes; the count says how many there are.
MAX_CODES = 12


def _codes(codes: Sequence[str]) -> str:
    shown = ", ".join(str(code) for code in codes[:MAX_CODES])
    return shown + (", …" if len(codes) > MAX_CODES else "")


def _date(value: Any) -> str:
    try:
        return vn_date(date.fromisoformat(str(value)))
    except ValueError:
        return str(value or "—")


def title(topic: str, params: Mapping[str, Any], *, gettext: Gettext, ngettext: Ngettext) -> str:
    """The entry's sentence."""
    p = params
    notice = p.get("notice") or "—"
    if topic == Topic.NEW_ASSIGNMENTS:
        return ngettext(
            "%(num)d nhiệm vụ mới được giao cho %(unit)s theo thông báo %(notice)s",
            "%(num)d nhiệm vụ mới được giao cho %(unit)s theo thông báo %(notice)s",
            int(p.get("count") or 0),
            unit=p.get("unit", ""),
            notice=notice,
        )
    if topic == Topic.EXTENSION_DECIDED:
        if p.get("approved"):
            return gettext(
                "Đề nghị gia hạn nhiệm vụ %(code)s (thông báo %(notice)s) đã được đồng ý: "
                "hạn mới %(due)s",
                code=p.get("code", ""),
                notice=notice,
                due=_date(p.get("due")),
            )
        return gettext(
            "Đề nghị gia hạn nhiệm vụ %(code)s (thông báo %(notice)s) không được đồng ý",
            code=p.get("code", ""),
            notice=notice,
        )
    if topic == Topic.EXPLANATION_REQUESTED:
        return ngettext(
            "%(who)s yêu cầu giải trình về %(num)d nhiệm vụ quá hạn: %(codes)s",
            "%(who)s yêu cầu giải trình về %(num)d nhiệm vụ quá hạn: %(codes)s",
            int(p.get("count") or 0),
            who=p.get("by", ""),
            codes=_codes(p.get("codes") or []),
        )
    if topic == Topic.EXPLANATION_ANSWERED:
        return ngettext(
            "%(unit)s đã giải trình về %(num)d nhiệm vụ: %(codes)s",
            "%(unit)s đã giải trình về %(num)d nhiệm vụ: %(codes)s",
            int(p.get("count") or 0),
            unit=p.get("unit", ""),
            codes=_codes(p.get("codes") or []),
        )
    if topic == Topic.REPORT_SUBMITTED:
        return gettext(
            "%(unit)s báo cáo nhiệm vụ %(code)s (thông báo %(notice)s): %(percent)s%%",
            unit=p.get("unit", ""),
            code=p.get("code", ""),
            notice=notice,
            percent=p.get("percent", 0),
        )
    if topic == Topic.EXTENSION_REQUESTED:
        return gettext(
            "%(unit)s xin gia hạn nhiệm vụ %(code)s (thông báo %(notice)s) đến %(due)s",
            unit=p.get("unit", ""),
            code=p.get("code", ""),
            notice=notice,
            due=_date(p.get("due")),
        )
    return str(topic)


def _plain_gettext(text: str, **values: Any) -> str:
    return text % values if values else text


def _plain_ngettext(singular: str, plural: str, num: int, **values: Any) -> str:
    # Vietnamese has one form.
    return singular % {"num": num, **values}


def vietnamese(topic: str, params: Mapping[str, Any]) -> str:
    """The sentence in Vietnamese, without an application (the outbox row's subject)."""
    return title(topic, params, gettext=_plain_gettext, ngettext=_plain_ngettext)
