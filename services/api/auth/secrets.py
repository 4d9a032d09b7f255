"""Passwords (argon2id), sign-in tokens and API keys: generation and hashing."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from functools import cache

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

TOKEN_PREFIX = "dct_"  # noqa: S105 - a public marker, not a secret
API_KEY_PREFIX = "dck_"


@cache
def _password_hasher() -> PasswordHash:
    return PasswordHash((Argon2Hasher(),))


def hash_password(password: str) -> str:
    """An argon2id hash of a password."""
    return _password_hasher().hash(password)


def verify_password(*, password: str, password_hash: str) -> bool:
    """Whether a password matches its stored hash."""
    return _password_hasher().verify(password, password_hash)


def keyed_hash(*, secret_key: str, value: str) -> str:
    """HMAC-SHA256 of a high-entropy secret; a leaked table alone cannot be replayed."""
    return hmac.new(secret_key.encode(), value.encode(), hashlib.sha256).hexdigest()


def new_access_token() -> str:
    """A fresh opaque sign-in token."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


@dataclass(frozen=True, slots=True)
class NewApiKey:
    """A generated API key: the whole key is shown once, the prefix identifies it later."""

    prefix: str
    secret: str

    @property
    def full(self) -> str:
        """The key as the caller sends it."""
        return f"{API_KEY_PREFIX}{self.prefix}_{self.secret}"


def new_api_key() -> NewApiKey:
    """A fresh API key."""
    return NewApiKey(prefix=secrets.token_hex(6), secret=secrets.token_urlsafe(32))


def split_api_key(key: str) -> tuple[str, str] | None:
    """The (prefix, secret) of a well-formed API key, or None."""
    if not key.startswith(API_KEY_PREFIX):
        return None
    prefix, _, secret = key[len(API_KEY_PREFIX) :].partition("_")
    return (prefix, secret) if prefix and secret else None
