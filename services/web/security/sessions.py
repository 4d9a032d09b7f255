"""The visitor's session: a signed cookie holding the API token, who they are, flashes, CSRF."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any, Literal

from deepcatcher_client.models import User

FlashKind = Literal["success", "error", "info"]


@dataclass(frozen=True, slots=True)
class SessionUser:
    """The signed-in account as the pages need it."""

    id: str
    email: str
    role: str

    @property
    def is_admin(self) -> bool:
        """Whether the account may review reports."""
        return self.role == "admin"


@dataclass(frozen=True, slots=True)
class Flash:
    """A one-time message shown on the next page."""

    kind: FlashKind
    message: str


class WebSession:
    """Typed access to Starlette's session dict (a signed, HttpOnly cookie)."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    @property
    def token(self) -> str | None:
        """The API bearer token of the signed-in visitor."""
        token = self.data.get("token")
        return token if isinstance(token, str) else None

    @property
    def user(self) -> SessionUser | None:
        """The signed-in account, if any."""
        user = self.data.get("user")
        return SessionUser(**user) if isinstance(user, dict) and self.token else None

    @property
    def csrf_token(self) -> str:
        """This session's CSRF token, made on first use."""
        if not isinstance(self.data.get("csrf"), str):
            self.data["csrf"] = secrets.token_urlsafe(32)
        return str(self.data["csrf"])

    def expected_csrf_token(self) -> str | None:
        """The CSRF token forms must send back, without making one."""
        token = self.data.get("csrf")
        return token if isinstance(token, str) else None

    def sign_in(self, *, token: str, user: User) -> None:
        """Start a fresh session for this account (a new CSRF token too)."""
        self.data.clear()
        self.data["token"] = token
        self.data["user"] = {"id": str(user.id), "email": user.email, "role": user.role}

    def sign_out(self) -> None:
        """Forget the account; flashes queued afterwards still show."""
        self.data.clear()

    def keep_job_secret(self, *, job_id: str, secret: str) -> None:
        """Hold a new job's callback secret until its page shows it (one at a time)."""
        self.data["job_secret"] = {"job_id": job_id, "secret": secret}

    def pop_job_secret(self, *, job_id: str) -> str | None:
        """The job's callback secret if it waits to be shown, removed from the session."""
        held = self.data.get("job_secret")
        if not isinstance(held, dict) or held.get("job_id") != job_id:
            return None
        del self.data["job_secret"]
        return str(held["secret"])

    def flash(self, message: str, *, kind: FlashKind = "success") -> None:
        """Queue a message for the next page the visitor sees."""
        self.data.setdefault("flashes", []).append({"kind": kind, "message": message})

    def has_flashes(self) -> bool:
        """Whether messages are waiting."""
        return bool(self.data.get("flashes"))

    def pop_flashes(self) -> list[Flash]:
        """The waiting messages, removed from the session."""
        return [Flash(**flash) for flash in self.data.pop("flashes", [])]
