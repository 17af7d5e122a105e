"""Linking a chat account with the one-time code from the profile page."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from tests.helpers import make_unit, make_user
from tracker.accounts.models import ChatLink
from tracker.audit.models import AuditEvent
from tracker.chat import linking
from tracker.chat.models import LinkCode
from tracker.errors import InvalidInput

pytestmark = pytest.mark.bots

T0 = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


@pytest.fixture
def person(session: Session):  # type: ignore[no-untyped-def]
    return make_user(session, "unit", unit=make_unit(session, "HUYEN"), username="huyen")


def test_a_code_works_once(session: Session, person) -> None:  # type: ignore[no-untyped-def]
    issued = linking.issue_link_code(session, actor=person, now=T0)
    assert linking.looks_like_code(issued.code) and issued.expires_at == T0 + timedelta(minutes=15)
    # Only the hash is kept.
    stored = session.exec(select(LinkCode)).one()
    assert issued.code not in stored.code_hash
    user = linking.link_account(
        session, code=issued.code.lower(), channel="telegram", external_id="1001", now=T0
    )
    assert user.id == person.id
    assert linking.active_link(session, channel="telegram", external_id="1001")[1].id == person.id
    with pytest.raises(InvalidInput, match="không đúng hoặc đã hết hạn"):
        linking.link_account(
            session, code=issued.code, channel="telegram", external_id="2002", now=T0
        )
    assert linking.active_link(session, channel="telegram", external_id="2002") is None
    actions = session.exec(select(AuditEvent.action)).all()
    assert "chat.linked" in actions


def test_a_code_typed_with_spaces_or_dashes_still_works(session: Session, person) -> None:  # type: ignore[no-untyped-def]
    code = linking.issue_link_code(session, actor=person, now=T0).code
    typed = f" {code[:4]}-{code[4:]} "
    assert linking.looks_like_code(typed)
    linking.link_account(session, code=typed, channel="zalo", external_id="z-1", now=T0)
    assert linking.active_link(session, channel="zalo", external_id="z-1") is not None


def test_a_code_expires_after_15_minutes(session: Session, person) -> None:  # type: ignore[no-untyped-def]
    late = linking.issue_link_code(session, actor=person, now=T0).code
    with pytest.raises(InvalidInput, match="15 phút"):
        linking.link_account(
            session,
            code=late,
            channel="telegram",
            external_id="1001",
            now=T0 + timedelta(minutes=15),
        )
    in_time = linking.issue_link_code(session, actor=person, now=T0).code
    linking.link_account(
        session,
        code=in_time,
        channel="telegram",
        external_id="1001",
        now=T0 + timedelta(minutes=14, seconds=59),
    )


def test_local_time_is_compared_as_the_same_instant(session: Session, person) -> None:  # type: ignore[no-untyped-def]
    """A caller passing local time (UTC+7) gets the same 15 minutes, read back from storage."""
    hanoi = ZoneInfo("Asia/Ho_Chi_Minh")
    code = linking.issue_link_code(session, actor=person, now=T0.astimezone(hanoi)).code
    session.commit()
    session.expire_all()  # read the expiry back from the database
    with pytest.raises(InvalidInput):
        linking.link_account(
            session,
            code=code,
            channel="telegram",
            external_id="1001",
            now=T0 + timedelta(minutes=20),
        )
    fresh = linking.issue_link_code(session, actor=person, now=T0).code
    session.commit()
    session.expire_all()
    linking.link_account(
        session,
        code=fresh,
        channel="telegram",
        external_id="1001",
        now=(T0 + timedelta(minutes=5)).astimezone(hanoi),
    )


def test_a_new_code_retires_the_old_one(session: Session, person) -> None:  # type: ignore[no-untyped-def]
    old = linking.issue_link_code(session, actor=person, now=T0).code
    new = linking.issue_link_code(session, actor=person, now=T0 + timedelta(minutes=1)).code
    with pytest.raises(InvalidInput):
        linking.link_account(
            session, code=old, channel="telegram", external_id="1001", now=T0 + timedelta(minutes=2)
        )
    linking.link_account(
        session, code=new, channel="telegram", external_id="1001", now=T0 + timedelta(minutes=2)
    )


def test_relinking_moves_the_chat_to_the_new_owner(session: Session, person) -> None:  # type: ignore[no-untyped-def]
    other = make_user(session, "head", username="lanhdao")
    first = linking.issue_link_code(session, actor=person, now=T0).code
    linking.link_account(session, code=first, channel="telegram", external_id="1001", now=T0)
    second = linking.issue_link_code(session, actor=other, now=T0).code
    linking.link_account(session, code=second, channel="telegram", external_id="1001", now=T0)
    rows = session.exec(select(ChatLink).where(ChatLink.external_id == "1001")).all()
    assert [(row.user_id, row.is_active) for row in rows] == [(other.id, True)]
    assert linking.links_of(session, user_id=person.id) == []


def test_one_account_per_person_per_channel(session: Session, person) -> None:  # type: ignore[no-untyped-def]
    for chat in ("1001", "2002"):
        code = linking.issue_link_code(session, actor=person, now=T0).code
        linking.link_account(session, code=code, channel="telegram", external_id=chat, now=T0)
    links = {link.external_id: link for link in linking.links_of(session, user_id=person.id)}
    assert links["2002"].is_active
    assert not links["1001"].is_active and links["1001"].inactive_reason
    assert linking.active_link(session, channel="telegram", external_id="1001") is None


def test_a_locked_user_cannot_link(session: Session, person) -> None:  # type: ignore[no-untyped-def]
    code = linking.issue_link_code(session, actor=person, now=T0).code
    person.is_active = False
    session.add(person)
    session.flush()
    with pytest.raises(InvalidInput, match="bị khóa"):
        linking.link_account(session, code=code, channel="telegram", external_id="1001", now=T0)
    assert session.exec(select(ChatLink)).all() == []


def test_unlink_stops_the_link_and_says_who(session: Session, person) -> None:  # type: ignore[no-untyped-def]
    code = linking.issue_link_code(session, actor=person, now=T0).code
    linking.link_account(session, code=code, channel="telegram", external_id="1001", now=T0)
    assert linking.unlink(session, channel="telegram", external_id="1001", now=T0).id == person.id
    assert linking.unlink(session, channel="telegram", external_id="1001", now=T0) is None
    (link,) = linking.links_of(session, user_id=person.id)
    assert not link.is_active and link.inactive_reason == "Người dùng hủy liên kết"


def test_unknown_channel_is_refused(session: Session, person) -> None:  # type: ignore[no-untyped-def]
    code = linking.issue_link_code(session, actor=person, now=T0).code
    with pytest.raises(InvalidInput):
        linking.link_account(session, code=code, channel="viber", external_id="1", now=T0)
