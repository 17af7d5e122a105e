"""The e-mail sender against a small SMTP server on 127.0.0.1 (written here, no dependency)."""

from __future__ import annotations

import contextlib
import smtplib
import socket
import socketserver
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest

from tracker.config import SmtpSettings
from tracker.notify.base import (
    DeliveryError,
    MaybeDelivered,
    Outgoing,
    PermanentFailure,
    TemporaryFailure,
)
from tracker.notify.email import EmailSender

SENDER = "Đôn Đốc <nhacviec@tinhuy.example.vn>"
SUBJECT = "Đôn Đốc: 2 nhiệm vụ sắp đến hạn"
BODY = (
    "<b>Nhắc việc ngày 02/03/2026</b>\n"
    "1.1 Báo cáo sơ kết 6 tháng &amp; đề xuất nhiệm vụ: hạn 09/03/2026\n"
    '<a href="http://127.0.0.1:5000/viec/7">Mở nhiệm vụ</a>'
)


@dataclass
class FakeSmtp:
    """What the server saw, and how it should misbehave."""

    port: int = 0
    messages: list[dict[str, Any]] = field(default_factory=list)
    connections: int = 0
    refused: dict[str, str] = field(default_factory=dict)  # address -> "550 ..." reply
    auth_fails: bool = False
    offer_auth: bool = False
    seconds_after_data: float = 0.0

    def received(self) -> list[EmailMessage]:
        return [
            message_from_bytes(entry["data"], policy=policy.default)  # type: ignore[misc]
            for entry in self.messages
        ]


class _Session(socketserver.StreamRequestHandler):
    server: Any

    def handle(self) -> None:
        fake: FakeSmtp = self.server.fake
        fake.connections += 1
        envelope: dict[str, Any] = {"rcpt": []}
        self._say("220 fake.example.vn ESMTP")
        while line := self.rfile.readline():
            command = line.decode("utf-8", "replace").rstrip("\r\n")
            verb, _, argument = command.partition(" ")
            verb = verb.upper()
            if verb == "EHLO":
                extensions = ["8BITMIME", "SMTPUTF8"] + (
                    ["AUTH PLAIN LOGIN"] if fake.offer_auth else []
                )
                self._say("\r\n".join(f"250-{e}" for e in ["fake.example.vn", *extensions[:-1]]))
                self._say(f"250 {extensions[-1]}")
            elif verb == "HELO":
                self._say("250 fake.example.vn")
            elif verb == "AUTH":
                self._say("535 5.7.8 Authentication failed" if fake.auth_fails else "235 2.7.0 OK")
            elif verb == "MAIL":
                envelope = {"from": argument, "rcpt": []}
                self._say("250 2.1.0 OK")
            elif verb == "RCPT":
                address = argument.partition("<")[2].partition(">")[0]
                if address in fake.refused:
                    self._say(fake.refused[address])
                else:
                    envelope["rcpt"].append(address)
                    self._say("250 2.1.5 OK")
            elif verb == "DATA":
                self._say("354 End data with <CR><LF>.<CR><LF>")
                data = bytearray()
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data += chunk[1:] if chunk.startswith(b"..") else chunk
                fake.messages.append({**envelope, "data": bytes(data)})
                time.sleep(fake.seconds_after_data)
                self._say("250 2.0.0 queued")
            elif verb in {"RSET", "NOOP"}:
                self._say("250 2.0.0 OK")
            elif verb == "QUIT":
                self._say("221 2.0.0 Bye")
                return
            else:
                self._say("502 5.5.2 Command not recognized")

    def _say(self, reply: str) -> None:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(reply.encode() + b"\r\n")


@pytest.fixture
def smtp() -> Iterator[FakeSmtp]:
    fake = FakeSmtp()
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Session)
    server.daemon_threads = True
    server.fake = fake  # type: ignore[attr-defined]
    fake.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield fake
    server.shutdown()
    server.server_close()


def settings(port: int, **overrides: Any) -> SmtpSettings:
    values: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": port,
        "sender": SENDER,
        "starttls": False,
        "timeout_seconds": 5.0,
    }
    values.update(overrides)
    return SmtpSettings(**values)


def message(**overrides: Any) -> Outgoing:
    values: dict[str, Any] = {
        "message_id": 42,
        "channel": "email",
        "address": "truong.phong@sonoivu.example.vn",
        "subject": SUBJECT,
        "body": BODY,
    }
    values.update(overrides)
    return Outgoing(**values)


@pytest.fixture
def sender(smtp: FakeSmtp) -> Iterator[EmailSender]:
    email_sender = EmailSender(settings(smtp.port))
    yield email_sender
    email_sender.close()


def test_the_message_arrives_with_its_vietnamese_subject_and_body(
    smtp: FakeSmtp, sender: EmailSender
) -> None:
    delivery = sender.send(message())

    [entry] = smtp.messages
    assert entry["rcpt"] == ["truong.phong@sonoivu.example.vn"]
    assert entry["from"].startswith("FROM:<nhacviec@tinhuy.example.vn>")
    entry["data"].decode("ascii")  # headers and bodies are 7-bit safe on the wire
    [received] = smtp.received()
    assert received["Subject"] == SUBJECT
    assert str(received["From"]) == SENDER
    assert received["To"] == "truong.phong@sonoivu.example.vn"
    assert received["Auto-Submitted"] == "auto-generated"
    assert received["Message-ID"] == delivery.external_id
    plain = received.get_body(preferencelist=("plain",))
    rich = received.get_body(preferencelist=("html",))
    assert plain is not None and rich is not None
    assert plain.get_content_charset() == "utf-8"
    assert plain.get_content() == (
        "Nhắc việc ngày 02/03/2026\n"
        "1.1 Báo cáo sơ kết 6 tháng & đề xuất nhiệm vụ: hạn 09/03/2026\n"
        "Mở nhiệm vụ\n"
    )
    html = rich.get_content()
    assert "<b>Nhắc việc ngày 02/03/2026</b><br>" in html
    assert '<a href="http://127.0.0.1:5000/viec/7">Mở nhiệm vụ</a>' in html
    assert "&amp; đề xuất" in html


def test_messages_of_one_run_share_a_connection(smtp: FakeSmtp, sender: EmailSender) -> None:
    for number in range(3):
        sender.send(message(message_id=number, address=f"nguoi{number}@example.vn"))
    assert len(smtp.messages) == 3
    assert smtp.connections == 1


def test_a_refused_recipient_is_a_permanent_failure(smtp: FakeSmtp, sender: EmailSender) -> None:
    smtp.refused["khongco@example.vn"] = "550 5.1.1 No such user"

    with pytest.raises(PermanentFailure) as failure:
        sender.send(message(address="khongco@example.vn"))

    assert "550" in failure.value.reason and failure.value.link_is_dead is False
    assert smtp.messages == []
    sender.send(message())  # the connection is still good for the next person
    assert len(smtp.messages) == 1


def test_a_recipient_refused_for_now_is_a_temporary_failure(
    smtp: FakeSmtp, sender: EmailSender
) -> None:
    smtp.refused["day@example.vn"] = "450 4.2.1 Mailbox busy, try later"
    with pytest.raises(TemporaryFailure):
        sender.send(message(address="day@example.vn"))


def test_a_server_that_is_down_is_a_temporary_failure() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    down = EmailSender(settings(port))
    with pytest.raises(TemporaryFailure) as failure:
        down.send(message())
    assert type(failure.value) is TemporaryFailure
    assert f"127.0.0.1:{port}" in failure.value.reason
    down.close()


def test_a_wrong_password_is_a_temporary_failure_that_names_the_settings(smtp: FakeSmtp) -> None:
    smtp.offer_auth = smtp.auth_fails = True
    wrong = EmailSender(settings(smtp.port, username="nhacviec", password="sai"))
    with pytest.raises(TemporaryFailure) as failure:
        wrong.send(message())
    assert "TRACKER_SMTP_PASSWORD" in failure.value.reason
    assert smtp.messages == []
    wrong.close()


def test_login_when_a_username_is_set(smtp: FakeSmtp) -> None:
    smtp.offer_auth = True
    with_login = EmailSender(settings(smtp.port, username="nhacviec", password="dung"))
    with_login.send(message())
    assert len(smtp.messages) == 1
    with_login.close()


def test_starttls_asked_but_not_offered_is_a_temporary_failure(smtp: FakeSmtp) -> None:
    tls = EmailSender(settings(smtp.port, starttls=True))
    with pytest.raises(TemporaryFailure) as failure:
        tls.send(message())
    assert "STARTTLS" in failure.value.reason
    tls.close()


def test_a_timeout_after_the_data_is_maybe_delivered(smtp: FakeSmtp) -> None:
    smtp.seconds_after_data = 1.5
    slow = EmailSender(settings(smtp.port, timeout_seconds=0.5))
    with pytest.raises(MaybeDelivered):
        slow.send(message())
    assert len(smtp.messages) == 1
    slow.close()


def test_an_address_that_is_not_one_is_permanent(sender: EmailSender) -> None:
    with pytest.raises(PermanentFailure):
        sender.send(message(address="không phải địa chỉ"))


def test_an_already_sent_message_is_not_sent_again(smtp: FakeSmtp, sender: EmailSender) -> None:
    assert sender.send(message(parts_sent=1)).parts_sent == 1
    assert smtp.messages == []


def test_concurrent_sends_report_exactly_what_the_server_received(smtp: FakeSmtp) -> None:
    """The dispatcher calls one sender from 8 threads: 120 sends at once, each reported as what
    really happened (the server has it) and nothing escapes as a raw exception."""
    sender = EmailSender(settings(smtp.port))
    addresses = [f"nguoi{number}@example.vn" for number in range(120)]
    reported: dict[str, str] = {}
    escaped: list[BaseException] = []

    def send(number: int) -> None:
        try:
            sender.send(message(message_id=number, address=addresses[number]))
            reported[addresses[number]] = "sent"
        except DeliveryError as error:
            reported[addresses[number]] = type(error).__name__
        except Exception as error:
            escaped.append(error)

    try:
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(send, range(len(addresses))))
    finally:
        sender.close()

    assert escaped == []
    received = sorted(address for entry in smtp.messages for address in entry["rcpt"])
    assert sorted(a for a, outcome in reported.items() if outcome == "sent") == received
    assert received == sorted(addresses)  # nothing went wrong on the server's side
    # Each e-mail arrived whole, to the right person.
    for entry, email in zip(smtp.messages, smtp.received(), strict=True):
        assert email["To"] == entry["rcpt"][0]


def test_an_unexpected_error_after_the_content_left_is_unknown_not_raw(
    smtp: FakeSmtp, sender: EmailSender, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_data = smtplib.SMTP.data

    def data_then_fail(self: smtplib.SMTP, content: bytes) -> Any:
        real_data(self, content)
        raise ValueError("the reply could not be read")

    monkeypatch.setattr(smtplib.SMTP, "data", data_then_fail)
    with pytest.raises(MaybeDelivered, match="có thể đã gửi"):
        sender.send(message())
    assert len(smtp.messages) == 1  # it did arrive: reported as unknown, never retried

    monkeypatch.setattr(smtplib.SMTP, "data", real_data)
    sender.send(message(message_id=43))  # a fresh connection for the next one
    assert len(smtp.messages) == 2
