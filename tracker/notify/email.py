"""E-mail sender (SMTP), for people with no chat linked.

Each message goes out as plain text plus HTML, UTF-8 throughout (Vietnamese subjects and
names are encoded as RFC 2047 headers). Port 465 means TLS from the first byte; any other
port uses STARTTLS when the settings ask for it.

Threads: the dispatcher calls `send` from several threads at once. smtplib's connection is a
conversation that two threads must never share, so each thread keeps its own connection open
between its messages (checked with NOOP before it is reused); `close` ends them all.
"""

from __future__ import annotations

import html
import logging
import secrets
import smtplib
import ssl
import threading
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP, SMTPUTF8
from email.utils import formatdate, parseaddr

from tracker.config import SmtpSettings
from tracker.notify.base import (
    Delivery,
    DeliveryError,
    MaybeDelivered,
    Outgoing,
    PermanentFailure,
    TemporaryFailure,
)
from tracker.notify.text import to_plain

log = logging.getLogger(__name__)

IMPLICIT_TLS_PORT = 465
DEFAULT_SUBJECT = "Đôn Đốc: nhắc việc"
_HTML = (
    '<!DOCTYPE html>\n<html lang="vi">\n<head><meta charset="utf-8"><title>{title}</title>'
    '</head>\n<body style="font-family: Arial, sans-serif; font-size: 15px; line-height: 1.5">'
    "\n<div>{body}</div>\n</body>\n</html>\n"
)


@dataclass
class _Transfer:
    """How far one send got: once the content has started, the outcome of a failure is
    unknown."""

    data_started: bool = False


class EmailSender:
    """The e-mail channel's Sender, over smtplib."""

    channel = "email"

    def __init__(self, settings: SmtpSettings) -> None:
        self._settings = settings
        self._local = threading.local()  # .smtp: this thread's connection, if open
        self._lock = threading.Lock()
        self._open_connections: set[smtplib.SMTP] = set()  # every thread's, for close()

    def send(self, message: Outgoing) -> Delivery:
        """Deliver `message` as one e-mail (it has no parts to resume)."""
        if message.parts_sent >= 1:
            return Delivery(None, parts_sent=1)
        if not self._settings.is_configured:
            raise TemporaryFailure(
                "Chưa cấu hình máy chủ thư (TRACKER_SMTP_HOST, TRACKER_SMTP_FROM)"
            )
        address = parseaddr(message.address)[1]
        if "@" not in address:
            raise PermanentFailure(f"Địa chỉ e-mail không hợp lệ: {message.address!r}")
        try:
            email = self.build(message)
        except (ValueError, TypeError) as error:
            raise PermanentFailure(
                f"Không tạo được thư cho {message.address!r}: {error}"
            ) from error
        transfer = _Transfer()
        try:
            self._transmit(address, email, transfer)
        except DeliveryError:
            raise
        except Exception as error:
            raise self._failure(error, address, transfer, message) from error
        return Delivery(str(email["Message-ID"]), parts_sent=1)

    def _transmit(self, address: str, email: EmailMessage, transfer: _Transfer) -> None:
        """One SMTP conversation for one recipient; `transfer` notes when the content left."""
        smtp = self._connection()
        international = not (address.isascii() and self._sender_address().isascii())
        if international and not smtp.has_extn("smtputf8"):
            raise PermanentFailure("Máy chủ thư không nhận địa chỉ e-mail có dấu")
        options = ["SMTPUTF8"] if international else []
        code, reply = smtp.mail(self._sender_address(), options)
        if code != 250:
            raise smtplib.SMTPSenderRefused(code, reply, self._sender_address())
        code, reply = smtp.rcpt(address)
        if code not in (250, 251):
            smtp.rset()
            raise smtplib.SMTPRecipientsRefused({address: (code, reply)})
        content = email.as_bytes(policy=SMTPUTF8 if international else SMTP)
        transfer.data_started = True
        code, reply = smtp.data(content)
        if code != 250:
            raise smtplib.SMTPDataError(code, reply)

    def _failure(
        self, error: Exception, address: str, transfer: _Transfer, message: Outgoing
    ) -> DeliveryError:
        """What an SMTP error means for the outbox: temporary, permanent, or maybe delivered
        (once the content was on its way: never reported as sent, never sent twice)."""
        if isinstance(error, smtplib.SMTPRecipientsRefused):
            code, reply = next(iter(error.recipients.values()), (550, b""))
            reason = f"Máy chủ thư từ chối người nhận {address}: {code} {_text(reply)}"
            return TemporaryFailure(reason) if 400 <= code < 500 else PermanentFailure(reason)
        if isinstance(error, smtplib.SMTPDataError):
            reason = f"Máy chủ thư không nhận thư: {error.smtp_code} {_text(error.smtp_error)}"
            return (
                PermanentFailure(reason)
                if 500 <= error.smtp_code < 600
                else TemporaryFailure(reason)
            )
        self._drop()
        if isinstance(error, smtplib.SMTPSenderRefused):
            return TemporaryFailure(
                f"Máy chủ thư từ chối địa chỉ gửi {self._settings.sender!r} "
                f"({error.smtp_code} {_text(error.smtp_error)}): kiểm tra TRACKER_SMTP_FROM"
            )
        if isinstance(error, TimeoutError | smtplib.SMTPServerDisconnected):
            # smtplib reports a read timeout as a disconnection caused by the timeout.
            timed_out = isinstance(error, TimeoutError) or isinstance(
                error.__context__, TimeoutError
            )
            if not timed_out:
                return TemporaryFailure(f"Máy chủ thư ngắt kết nối: {error}")
            if transfer.data_started:
                return MaybeDelivered(
                    "Máy chủ thư không trả lời sau khi nhận nội dung thư: có thể đã gửi"
                )
            return TemporaryFailure("Máy chủ thư không trả lời (hết thời gian chờ)")
        if isinstance(error, smtplib.SMTPException | OSError):
            if transfer.data_started:
                return MaybeDelivered(
                    f"Lỗi kết nối máy chủ thư khi đang gửi nội dung: có thể đã gửi ({error!r})"
                )
            return TemporaryFailure(f"Lỗi kết nối máy chủ thư: {error!r}")
        # The Sender contract: nothing escapes raw.
        log.error("unexpected error sending e-mail %s", message.message_id, exc_info=error)
        if transfer.data_started:
            return MaybeDelivered(
                f"Lỗi không lường trước khi gửi nội dung thư: có thể đã gửi ({error!r})"
            )
        return TemporaryFailure(f"Lỗi không lường trước khi gửi thư: {error!r}")

    def build(self, message: Outgoing) -> EmailMessage:
        """The e-mail for `message`: plain text and HTML alternatives of its body."""
        email = EmailMessage()
        email["Subject"] = message.subject or DEFAULT_SUBJECT
        email["From"] = self._settings.sender
        email["To"] = message.address
        email["Date"] = formatdate(localtime=False)
        domain = self._sender_address().rpartition("@")[2] or "localhost"
        # Short enough to stay on one header line (make_msgid's ids get folded).
        email["Message-ID"] = f"<dondoc.{message.message_id}.{secrets.token_hex(6)}@{domain}>"
        # Reminders are machine-sent: no vacation replies back to the sender (RFC 3834).
        email["Auto-Submitted"] = "auto-generated"
        email.set_content(to_plain(message.body), charset="utf-8", cte="base64")
        html_body = message.body.replace("\n", "<br>\n")
        title = html.escape(str(email["Subject"]))
        email.add_alternative(
            _HTML.format(title=title, body=html_body), subtype="html", charset="utf-8", cte="base64"
        )
        return email

    def close(self) -> None:
        """End every thread's connection; called once no send is running any more."""
        with self._lock:
            connections, self._open_connections = self._open_connections, set()
        for smtp in connections:
            _quit(smtp)
        self._local = threading.local()

    # -- the connection -----------------------------------------------------------------

    def _sender_address(self) -> str:
        return parseaddr(self._settings.sender)[1] or self._settings.sender

    def _connection(self) -> smtplib.SMTP:
        """This thread's connection, opened (or reopened) when needed."""
        smtp: smtplib.SMTP | None = getattr(self._local, "smtp", None)
        if smtp is not None:
            # Servers drop idle connections: check before reusing one.
            try:
                if smtp.noop()[0] == 250:
                    return smtp
            except (smtplib.SMTPException, OSError):
                pass
            self._drop()
        smtp = self._open()
        self._local.smtp = smtp
        with self._lock:
            self._open_connections.add(smtp)
        return smtp

    def _open(self) -> smtplib.SMTP:
        settings = self._settings
        context = ssl.create_default_context()
        smtp: smtplib.SMTP | None = None
        try:
            if settings.port == IMPLICIT_TLS_PORT:
                smtp = smtplib.SMTP_SSL(
                    settings.host, settings.port, timeout=settings.timeout_seconds, context=context
                )
            else:
                smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_seconds)
            smtp.ehlo()
            if settings.starttls and settings.port != IMPLICIT_TLS_PORT:
                smtp.starttls(context=context)
                smtp.ehlo()
            if settings.username:
                smtp.login(settings.username, settings.password)
        except smtplib.SMTPAuthenticationError as error:
            _quit(smtp)
            raise TemporaryFailure(
                f"Máy chủ thư từ chối đăng nhập ({error.smtp_code}): kiểm tra cấu hình "
                "TRACKER_SMTP_USER và TRACKER_SMTP_PASSWORD"
            ) from error
        except smtplib.SMTPNotSupportedError as error:
            _quit(smtp)
            raise TemporaryFailure(
                f"Máy chủ thư {settings.host} không hỗ trợ STARTTLS hoặc đăng nhập: kiểm tra "
                "TRACKER_SMTP_PORT / TRACKER_SMTP_STARTTLS"
            ) from error
        except (smtplib.SMTPException, OSError) as error:
            _quit(smtp)
            raise TemporaryFailure(
                f"Không kết nối được máy chủ thư {settings.host}:{settings.port}: {error!r}"
            ) from error
        return smtp

    def _drop(self) -> None:
        """Forget this thread's connection after an error (its state is unknown)."""
        smtp: smtplib.SMTP | None = getattr(self._local, "smtp", None)
        self._local.smtp = None
        if smtp is None:
            return
        with self._lock:
            self._open_connections.discard(smtp)
        smtp.close()


def _quit(smtp: smtplib.SMTP | None) -> None:
    if smtp is None:
        return
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
