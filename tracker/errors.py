"""Domain errors raised by services and shown to people by views and bot handlers.

A message is a Vietnamese template (the message catalogue's source language) plus its
parameters, so the web can show it in the reader's language and the bot in Vietnamese.
"""

from __future__ import annotations

from typing import Any


def N_(message: str) -> str:
    """Mark a message for translation without translating it here (Babel extracts N_)."""
    return message


class DomainError(Exception):
    """A request the product refuses, with a message that tells the person what to do."""

    status_code = 400

    def __init__(self, template: str, **params: Any) -> None:
        self.template = template
        self.params = params
        super().__init__(template.format(**params) if params else template)


class NotFound(DomainError):
    status_code = 404


class PermissionDenied(DomainError):
    status_code = 403


class InvalidInput(DomainError):
    """Input that cannot be used; nothing was changed."""

    status_code = 400


class StaleUpdate(DomainError):
    """Someone else saved first; the form's version is out of date."""

    status_code = 409


class RateLimited(DomainError):
    status_code = 429
