"""Password hashing with one setting: scrypt everywhere real, a cheap hash only for the test suite.

scrypt is deliberately slow (tens of milliseconds and 16 MiB per hash); the test suite creates
thousands of accounts and spent most of its time there. `TRACKER_PASSWORD_HASH=fast` trades that
cost away and is therefore refused in production (see `tracker.config`). Checking a password
reads the method from the stored hash, so accounts made with either method still sign in.
"""

from __future__ import annotations

from functools import cache

from werkzeug.security import check_password_hash, generate_password_hash

# Setting value -> werkzeug method. "fast" is one PBKDF2 round: fine for throw-away test accounts,
# worthless against anyone who obtains the hashes.
METHODS = {"scrypt": "scrypt", "fast": "pbkdf2:sha256:1"}
DEFAULT = "scrypt"
UNSAFE_IN_PRODUCTION = frozenset({"fast"})

_current = DEFAULT


def use(setting: str) -> None:
    """Hash new passwords with `setting` (one of METHODS) from now on, in this process."""
    global _current
    if setting not in METHODS:
        raise ValueError(f"unknown password hash {setting!r}; choose one of {sorted(METHODS)}")
    _current = setting


def current() -> str:
    """The setting that new passwords are hashed with."""
    return _current


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=METHODS[_current])


def check_password(stored_hash: str | None, password: str) -> bool:
    """Whether `password` matches; an unknown user is checked against a dummy hash so that both
    paths take the same time (no telling which usernames exist)."""
    return check_password_hash(stored_hash or _dummy_hash(_current), password)


@cache
def _dummy_hash(setting: str) -> str:
    # Made on first use, not at import: importing the accounts package must cost nothing.
    return generate_password_hash("not-a-real-password", method=METHODS[setting])
