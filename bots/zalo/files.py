"""Images and files a follower sends to the OA: fetched from the attachment URLs Zalo signs
into the event, at most as many bytes as the evidence store keeps (plus one, to see more)."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

import httpx

from bots.conversation import IncomingFiles
from tracker.assignments.evidence import EvidenceStore, Upload
from tracker.errors import DomainError

log = logging.getLogger(__name__)

FILE_EVENTS = {"user_send_image", "user_send_file"}
TIMEOUT_SECONDS = 10.0
UNREADABLE = (
    "Chưa tải được tệp “{name}” từ Zalo. Hãy gửi lại tệp, hoặc đính kèm trên web ở trang nhiệm vụ."
)


def fetch_files(message: dict[str, Any], store: EvidenceStore) -> IncomingFiles:
    """The event's attachments, downloaded; a refusal in words if one cannot be kept."""
    caption = str(message.get("text") or "")
    uploads: list[Upload] = []
    attachments = message.get("attachments")
    for number, attachment in enumerate(attachments if isinstance(attachments, list) else [], 1):
        payload = attachment.get("payload") if isinstance(attachment, dict) else None
        if not isinstance(payload, dict):
            continue
        url = str(payload.get("url") or "")
        name = str(payload.get("name") or f"anh-zalo-{number}.jpg")
        try:
            uploads.append(Upload(name, _download(url, name, store)))
        except DomainError as error:
            return IncomingFiles([], caption, refused=error.template.format(**error.params))
        except (httpx.HTTPError, ValueError) as error:
            log.info("Zalo attachment %s not fetched: %s", url, error)
            return IncomingFiles([], caption, refused=UNREADABLE.format(name=name))
    return IncomingFiles(uploads, caption)


def _download(url: str, name: str, store: EvidenceStore) -> bytes:
    if urlsplit(url).scheme not in {"http", "https"}:
        raise ValueError(f"not a web address: {url[:80]}")
    limit = store.read_limit()
    chunks: list[bytes] = []
    received = 0
    with httpx.stream("GET", url, timeout=TIMEOUT_SECONDS, follow_redirects=True) as response:
        response.raise_for_status()
        for chunk in response.iter_bytes():
            chunks.append(chunk)
            received += len(chunk)
            if limit is not None and received >= limit:
                store.check_size(name, received)  # over the limit: stop reading
    return b"".join(chunks)
