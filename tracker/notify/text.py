"""Message text shared by the channels: HTML for Telegram, plain text for the others,
and splitting under a channel's length limit without breaking a line or a tag."""

from __future__ import annotations

import html
import re

TELEGRAM_LIMIT = 4096
_TAG = re.compile(r"</?(?:b|i|u|s|code|pre|a)(?:\s[^>]*)?>")


def shorten(text: str, limit: int) -> str:
    """One line of at most `limit` characters, cut at a word, with an ellipsis when cut."""
    line = " ".join((text or "").split())
    if len(line) <= limit:
        return line
    cut = line.rfind(" ", 0, limit)
    cut = cut if cut > limit // 2 else limit - 1
    return line[:cut].rstrip(" ,;:.-") + "…"


def to_plain(body: str) -> str:
    """Telegram HTML as plain text (Zalo, e-mail): tags dropped, entities decoded."""
    return html.unescape(_TAG.sub("", body))


def split_message(body: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Parts of at most `limit` characters, cut between lines. Each line of our messages
    closes its own tags, so a part never leaves one open; a single over-long line is cut
    as plain text."""
    parts: list[str] = []
    current = ""
    for line in body.split("\n"):
        if len(line) > limit:
            line = html.escape(to_plain(line))
            while len(line) > limit:
                cut = line.rfind(" ", 0, limit)
                cut = cut if cut > limit // 2 else limit
                # Never cut inside an entity such as &amp;
                amp = line.rfind("&", max(0, cut - 8), cut)
                if amp != -1 and ";" not in line[amp:cut]:
                    cut = amp
                if current:
                    parts.append(current)
                    current = ""
                parts.append(line[:cut].rstrip())
                line = line[cut:].lstrip()
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            parts.append(current)
            current = line
        else:
            current = candidate
    if current.strip():
        parts.append(current)
    return [part for part in parts if part.strip()] or [""]
