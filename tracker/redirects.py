"""The one open-redirect check: a "come back to" address taken from a form or a query string
is followed only when it is a path on this site."""

from __future__ import annotations

from urllib.parse import urlsplit

MAX_LENGTH = 2000


def same_site_path(target: str | None) -> str | None:
    """`target` when it is a path on this site ("/thong-bao?trang=2"), else None.

    Refused: other sites ("https://…", "//host"), backslashes (browsers read "/\\host" as
    "//host"), control characters (browsers drop tabs and newlines, so "/\\t/host" becomes
    "//host") and anything absurdly long.
    """
    if not target or len(target) > MAX_LENGTH or not target.startswith("/"):
        return None
    if target.startswith("//") or "\\" in target or any(_is_control(c) for c in target):
        return None
    parts = urlsplit(target)
    return None if parts.scheme or parts.netloc else target


def _is_control(character: str) -> bool:
    return ord(character) < 0x20 or ord(character) == 0x7F
