"""Sign-in tokens and API keys; only hashes of their secrets are stored."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from services.api.db.base import Base, CreatedMixin, IdMixin, JSONDocument


class AccessToken(IdMixin, CreatedMixin, Base):
    """A bearer token issued at sign-in; logout revokes it."""

    __tablename__ = "access_tokens"

    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class ApiKey(IdMixin, CreatedMixin, Base):
    """A long-lived key for third-party integrations."""

    __tablename__ = "api_keys"

    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[list[Any]] = mapped_column(JSONDocument)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class SignInThrottle(Base):
    """Wrong passwords in a row for one email, and until when its sign-in is locked."""

    __tablename__ = "sign_in_throttles"

    # A keyed hash of the normalised email: unknown emails are throttled alike (no account
    # oracle) without keeping the addresses people typed.
    email_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int]
    last_failed_at: Mapped[datetime]
    locked_until: Mapped[datetime | None]
