"""The session cookie, encrypted: it holds the visitor's API token, which only we may read."""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from itsdangerous import BadSignature
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp

SESSION_KEY_INFO = b"deepcatcher web session cookie"


class SessionCipher:
    """Fernet (AES-128-CBC + HMAC-SHA256, timestamped) keyed from the web's secret key.

    It stands in for Starlette's signer, which signs the cookie but leaves it readable.
    """

    def __init__(self, secret_key: str) -> None:
        derived = HKDF(algorithm=SHA256(), length=32, salt=None, info=SESSION_KEY_INFO)
        key = derived.derive(secret_key.encode())
        self._fernet = Fernet(base64.urlsafe_b64encode(key))

    def sign(self, value: bytes) -> bytes:
        """Encrypt and authenticate a cookie value."""
        return self._fernet.encrypt(value)

    def unsign(self, value: bytes, max_age: int | None = None) -> bytes:
        """Decrypt a cookie value; a forged, tampered or too old one is a BadSignature."""
        try:
            return self._fernet.decrypt(value, ttl=max_age)
        except InvalidToken as exc:
            raise BadSignature("The session cookie is not one of ours.") from exc


class EncryptedSessionMiddleware(SessionMiddleware):
    """Starlette's session middleware with the cookie encrypted instead of only signed."""

    def __init__(
        self, app: ASGIApp, *, secret_key: str, cookie: str, max_age_s: int, https_only: bool
    ) -> None:
        super().__init__(
            app, secret_key, session_cookie=cookie, max_age=max_age_s, https_only=https_only
        )
        self.signer = SessionCipher(secret_key)  # type: ignore[assignment]
