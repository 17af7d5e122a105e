"""Password hashes: the configured method is used, and a hash made with either method still
signs in after the setting changes (accounts created before an upgrade keep working)."""

from collections.abc import Iterator

import pytest

from tracker.accounts import passwords


@pytest.fixture
def restore_method() -> Iterator[None]:
    before = passwords.current()
    yield
    passwords.use(before)


def test_production_method_is_scrypt_and_verifies(restore_method: None) -> None:
    passwords.use("scrypt")
    stored = passwords.hash_password("mật khẩu dài")
    assert stored.startswith("scrypt:")
    assert passwords.check_password(stored, "mật khẩu dài")
    assert not passwords.check_password(stored, "mật khẩu sai")


def test_a_scrypt_hash_still_verifies_under_the_cheap_setting(restore_method: None) -> None:
    passwords.use("scrypt")
    stored = passwords.hash_password("mật khẩu dài")
    passwords.use("fast")
    assert passwords.hash_password("x" * 8).startswith("pbkdf2:sha256:1$")
    assert passwords.check_password(stored, "mật khẩu dài")


def test_an_unknown_user_never_signs_in() -> None:
    assert not passwords.check_password(None, "not-a-real-password-guess")


def test_an_unknown_method_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown password hash"):
        passwords.use("md5")
