"""The users table."""

from __future__ import annotations

import enum

from sqlalchemy import Enum, String
from sqlalchemy.orm import Mapped, mapped_column

from services.api.db.base import Base, CreatedMixin, IdMixin


class Role(enum.StrEnum):
    """What a user may do: admins also resolve reports and export feedback."""

    user = "user"
    admin = "admin"


class User(IdMixin, CreatedMixin, Base):
    """A person with an account."""

    __tablename__ = "users"

    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=16, create_constraint=True, name="role"),
        default=Role.user,
    )
