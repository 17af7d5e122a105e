"""Evidence sent in a chat: Telegram photos and documents through the webhook route against
the fake Bot API, and Zalo images and files through the OA webhook against the fake Zalo;
the files are downloaded over HTTP, checked like a web upload and stored with the report."""

from __future__ import annotations

import dataclasses
import hashlib
import html
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Engine
from sqlmodel import Session, select

from bots.conversation import item_buttons
from tests.bots import test_telegram_bot as telegram_tests
from tests.bots import test_zalo_webhook as zalo_tests
from tests.bots.test_conversation import World, build_world, count
from tests.bots.test_telegram_bot import CHAT, ByWebhook, keyboard, local_today, one
from tests.bots.test_zalo_webhook import FOLLOWER, post
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_oa import FakeZalo, file_event, text_event
from tracker.assignments.models import EvidenceFile, ProgressReport
from tracker.chat import linking
from tracker.db import unit_of_work
from tracker.reminders.models import OutboxMessage

pytestmark = pytest.mark.bots

# The fixtures of the Telegram and Zalo tests: the fakes, and the app configured for them.
fake = telegram_tests.fake
bot_app = telegram_tests.bot_app
world = telegram_tests.world
zalo = zalo_tests.zalo

JPEG = b"\xff\xd8\xff\xe0" + b"photo of the signed minutes" * 40
PDF = b"%PDF-1.7\n" + b"report body " * 100


def linked(engine: Engine, transport: ByWebhook, world: World) -> None:
    with unit_of_work(engine) as session:
        code = linking.issue_link_code(session, actor=world.unit_user).code
    transport.text(CHAT, f"/start {code}")


def send(transport: ByWebhook, update_id: int) -> list[dict[str, Any]]:
    before = len(transport.fake.sent(CHAT))
    transport.post(update_id)
    return transport.fake.sent(CHAT)[before:]


def evidence(engine: Engine) -> list[EvidenceFile]:
    with Session(engine) as session:
        return list(session.exec(select(EvidenceFile).order_by(EvidenceFile.id)).all())


def uploads_dir(app: Flask) -> Path:
    return app.extensions["tracker.settings"].instance_path / "uploads"


@pytest.fixture
def transport(bot_app: Flask, fake: FakeTelegram, world: World) -> ByWebhook:
    return ByWebhook(fake, bot_app.test_client())


def test_a_photo_with_a_caption_becomes_a_report_on_the_chosen_assignment(
    bot_app: Flask, engine: Engine, fake: FakeTelegram, transport: ByWebhook, world: World
) -> None:
    linked(engine, transport, world)
    update = fake.push_file(CHAT, JPEG, kind="photo", caption="Biên bản họp đã ký")
    message = one(send(transport, update))
    assert "Đã nhận 1 tệp. Đính kèm vào nhiệm vụ nào?" in message["text"]
    # Open work of the unit, most urgent first: the overdue 1.2 before 1.1; nothing done.
    assert keyboard(message) == [
        [("1. 1.2", f"evi:{world.overdue_task.id}")],
        [("2. 1.1", f"evi:{world.open_task.id}")],
    ]
    assert evidence(engine) == []

    answer, sent = transport.press(CHAT, f"evi:{world.overdue_task.id}")
    assert answer["text"] == "Đã đính kèm minh chứng."
    assert "Đã đính kèm <b>1 tệp</b> minh chứng" in one(sent)["text"]
    [stored] = evidence(engine)
    assert stored.assignment_id == world.overdue_task.id
    assert stored.sha256 == hashlib.sha256(JPEG).hexdigest()
    assert stored.content_type == "image/jpeg"
    assert (uploads_dir(bot_app) / stored.stored_name).read_bytes() == JPEG
    with Session(engine) as session:
        report = session.get(ProgressReport, stored.report_id)
    assert report is not None and report.note == "Biên bản họp đã ký"
    # The largest size of the photo was fetched, not the thumbnail.
    assert fake.downloads == ["file1"]

    # Pressing again attaches nothing twice.
    answer, _ = transport.press(CHAT, f"evi:{world.overdue_task.id}")
    assert "Gửi lại tệp" in answer["text"]
    assert len(evidence(engine)) == 1


def test_a_document_replying_to_a_reminder_goes_to_that_assignment(
    engine: Engine, fake: FakeTelegram, transport: ByWebhook, world: World
) -> None:
    linked(engine, transport, world)
    reminder = {
        "chat_id": CHAT,
        "text": "Nhắc việc: 1.1",
        "reply_markup": {
            "inline_keyboard": [
                [
                    {"text": b.label, "callback_data": b.data}
                    for b in item_buttons(world.open_task.id or 0)
                ]
            ]
        },
    }
    update = fake.push_file(CHAT, PDF, file_name="bao-cao.pdf", reply_to=reminder)
    text = html.unescape(one(send(transport, update))["text"])
    assert "Đã đính kèm <b>1 tệp</b> minh chứng:\n• bao-cao.pdf" in text and "1.1" in text
    [stored] = evidence(engine)
    assert (stored.assignment_id, stored.original_name) == (world.open_task.id, "bao-cao.pdf")
    with Session(engine) as session:
        report = session.get(ProgressReport, stored.report_id)
    assert report is not None and report.note == "Gửi minh chứng qua Telegram"


def test_an_album_of_photos_is_offered_once_and_attached_together(
    engine: Engine, fake: FakeTelegram, transport: ByWebhook, world: World
) -> None:
    linked(engine, transport, world)
    first = fake.push_file(CHAT, JPEG, kind="photo", media_group_id="album1", caption="Ảnh")
    second = fake.push_file(CHAT, JPEG + b"2", kind="photo", media_group_id="album1")
    assert len(send(transport, first)) == 1
    assert send(transport, second) == []
    _, sent = transport.press(CHAT, f"evi:{world.open_task.id}")
    assert "Đã đính kèm <b>2 tệp</b>" in one(sent)["text"]
    assert [e.assignment_id for e in evidence(engine)] == [world.open_task.id] * 2
    assert count(engine, ProgressReport) == 1


def test_a_file_too_large_is_refused_before_it_is_downloaded(
    engine: Engine, fake: FakeTelegram, transport: ByWebhook, world: World
) -> None:
    linked(engine, transport, world)
    update = fake.push_file(CHAT, PDF, declared_size=25 * 1024 * 1024, file_name="to.pdf")
    text = html.unescape(one(send(transport, update))["text"])
    assert "Tệp 'to.pdf' lớn quá 20 MB nên không được nhận" in text
    assert "Chưa tệp nào được lưu." in text
    assert fake.downloads == [] and evidence(engine) == []


def test_a_file_of_a_refused_type_is_refused_and_nothing_is_kept(
    bot_app: Flask, engine: Engine, fake: FakeTelegram, transport: ByWebhook, world: World
) -> None:
    linked(engine, transport, world)
    update = fake.push_file(CHAT, b"MZ\x90\x00 not a document", file_name="virus.exe")
    text = html.unescape(one(send(transport, update))["text"])
    assert "Tệp 'virus.exe' không phải PDF, Word, Excel" in text
    assert evidence(engine) == [] and count(engine, ProgressReport) == 0
    assert not (uploads_dir(bot_app) / "held").exists() or not any(
        (uploads_dir(bot_app) / "held").iterdir()
    )


def test_an_unlinked_sender_learns_how_to_link_and_nothing_is_kept(
    engine: Engine, fake: FakeTelegram, transport: ByWebhook, world: World
) -> None:
    text = one(send(transport, fake.push_file(CHAT, PDF)))["text"]
    assert "chưa liên kết với Đôn Đốc" in text
    assert evidence(engine) == []


# -- Zalo ---------------------------------------------------------------------------------


def test_zalo_files_are_attached_to_the_assignment_chosen_by_number(
    app: Flask, client: Any, engine: Engine, zalo: FakeZalo, session: Session
) -> None:
    world = build_world(session, local_today())
    session.commit()
    with unit_of_work(engine) as s:
        code = linking.issue_link_code(s, actor=world.unit_user).code
    assert post(client, text_event(FOLLOWER, code)).status_code == 200

    event = file_event(
        zalo, FOLLOWER, [("bien-ban.pdf", PDF), ("bang.pdf", PDF + b"2")], caption="Đã họp"
    )
    assert post(client, event).status_code == 200
    listing = zalo.messages(FOLLOWER)[-1]
    assert "Đã nhận 2 tệp" in listing and "Trả lời bằng số thứ tự" in listing
    assert "1. 1.2" in listing
    assert post(client, text_event(FOLLOWER, "1", timestamp_ms=None)).status_code == 200
    assert "Đã đính kèm 2 tệp minh chứng" in zalo.messages(FOLLOWER)[-1]
    stored = evidence(engine)
    assert [e.original_name for e in stored] == ["bien-ban.pdf", "bang.pdf"]
    assert {e.assignment_id for e in stored} == {world.overdue_task.id}


def test_a_zalo_file_of_a_refused_type_is_refused(
    app: Flask, client: Any, engine: Engine, zalo: FakeZalo, session: Session
) -> None:
    world = build_world(session, local_today())
    session.commit()
    with unit_of_work(engine) as s:
        code = linking.issue_link_code(s, actor=world.unit_user).code
    post(client, text_event(FOLLOWER, code))
    post(client, file_event(zalo, FOLLOWER, [("ghi-chu.txt", b"plain text")]))
    assert "Tệp 'ghi-chu.txt' không phải PDF" in zalo.messages(FOLLOWER)[-1]
    assert evidence(engine) == []


def test_settings_limit_applies_to_chat_files(app: Flask) -> None:
    settings = app.extensions["tracker.settings"]
    from tracker.assignments.evidence import store_for

    store = store_for(dataclasses.replace(settings, upload_max_bytes=100))
    with pytest.raises(Exception, match="lớn quá"):
        store.check_size("a.pdf", 101)
    store.check_size("a.pdf", 100)


def zalo_linked(engine: Engine, client: Any, session: Session) -> World:
    world = build_world(session, local_today())
    session.commit()
    with unit_of_work(engine) as s:
        code = linking.issue_link_code(s, actor=world.unit_user).code
    assert post(client, text_event(FOLLOWER, code)).status_code == 200
    return world


def zalo_reminder(engine: Engine, world: World, items: list[dict[str, Any]]) -> str:
    """A reminder Zalo delivered to the follower: the outbox keeps the id Zalo gave it."""
    message_id = f"{len(items):04d}reminder{items[0].get('assignment_id')}"
    with unit_of_work(engine) as s:
        s.add(
            OutboxMessage(
                user_id=world.unit_user.id or 0,
                channel="zalo",
                day=local_today(),
                covers=message_id,
                address=FOLLOWER,
                body="Nhắc việc",
                items=items,
                status="sent",
                external_id=message_id,
            )
        )
    return message_id


def test_a_zalo_file_quoting_a_reminder_goes_to_its_assignment_with_the_caption_as_note(
    app: Flask, client: Any, engine: Engine, zalo: FakeZalo, session: Session
) -> None:
    world = zalo_linked(engine, client, session)
    quoted = zalo_reminder(
        engine, world, [{"assignment_id": world.open_task.id, "code": "1.1", "actionable": True}]
    )
    event = file_event(zalo, FOLLOWER, [("bien-ban.pdf", PDF)], caption="Biên bản đã ký")
    event["message"]["quote_msg_id"] = quoted
    assert post(client, event).status_code == 200

    reply = zalo.messages(FOLLOWER)[-1]
    assert "Đã đính kèm 1 tệp minh chứng" in reply and "bien-ban.pdf" in reply
    assert "Ghi chú: Biên bản đã ký" in reply
    assert zalo.downloads == ["f1"]  # fetched from Zalo's attachment URL over HTTP
    [stored] = evidence(engine)
    assert (stored.assignment_id, stored.original_name) == (world.open_task.id, "bien-ban.pdf")
    assert stored.sha256 == hashlib.sha256(PDF).hexdigest()
    assert (uploads_dir(app) / stored.stored_name).read_bytes() == PDF
    with Session(engine) as s:
        report = s.get(ProgressReport, stored.report_id)
    assert report is not None and report.note == "Biên bản đã ký"


def test_a_zalo_quote_of_someone_else_s_reminder_names_nothing(
    app: Flask, client: Any, engine: Engine, zalo: FakeZalo, session: Session
) -> None:
    world = zalo_linked(engine, client, session)
    quoted = zalo_reminder(
        engine, world, [{"assignment_id": world.open_task.id, "code": "1.1", "actionable": True}]
    )
    with unit_of_work(engine) as s:
        row = s.exec(select(OutboxMessage)).one()
        row.address = "another-follower"
    event = file_event(zalo, FOLLOWER, [("bien-ban.pdf", PDF)])
    event["message"]["quote_msg_id"] = quoted
    post(client, event)
    # Not theirs: the usual choice, nothing attached yet.
    assert "Đính kèm vào nhiệm vụ nào?" in zalo.messages(FOLLOWER)[-1]
    assert evidence(engine) == []


def test_a_zalo_file_too_large_is_refused_and_nothing_is_stored(
    app: Flask, client: Any, engine: Engine, zalo: FakeZalo, session: Session
) -> None:
    world = zalo_linked(engine, client, session)
    settings = app.extensions["tracker.settings"]
    app.extensions["tracker.settings"] = dataclasses.replace(settings, upload_max_bytes=500)
    quoted = zalo_reminder(
        engine, world, [{"assignment_id": world.open_task.id, "code": "1.1", "actionable": True}]
    )
    event = file_event(zalo, FOLLOWER, [("lon.pdf", PDF + b"x" * 5000)], caption="Báo cáo")
    event["message"]["quote_msg_id"] = quoted
    post(client, event)
    reply = zalo.messages(FOLLOWER)[-1]
    assert "Tệp 'lon.pdf' lớn quá" in reply and "Chưa tệp nào được lưu." in reply
    assert evidence(engine) == [] and count(engine, ProgressReport) == 0
    held = uploads_dir(app) / "held"
    assert not held.exists() or not any(held.iterdir())


def test_declining_the_choice_removes_the_files_waiting_for_it(
    bot_app: Flask, engine: Engine, fake: FakeTelegram, transport: ByWebhook, world: World
) -> None:
    linked(engine, transport, world)
    send(transport, fake.push_file(CHAT, JPEG, kind="photo"))
    held = uploads_dir(bot_app) / "held"
    assert any(held.iterdir())  # waiting for the choice
    assert "Đã bỏ câu hỏi đang chờ" in one(transport.text(CHAT, "/huy"))["text"]
    assert not any(held.iterdir())
    answer, _ = transport.press(CHAT, f"evi:{world.open_task.id}")
    assert "Gửi lại tệp" in answer["text"]
    assert evidence(engine) == []
