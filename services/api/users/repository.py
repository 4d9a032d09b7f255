"""Users in the database."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.users.models import Role, User


async def get_by_email(*, session: AsyncSession, email: str) -> User | None:
    """The user with this (normalised) email, if any."""
    return await session.scalar(select(User).where(User.email == email))


async def get(*, session: AsyncSession, user_id: uuid.UUID) -> User | None:
    """The user with this id, if any."""
    return await session.get(User, user_id)


async def add(*, session: AsyncSession, email: str, password_hash: str, role: Role) -> User:
    """Insert a user (the caller commits)."""
    user = User(email=email, password_hash=password_hash, role=role)
    session.add(user)
    await session.flush()
    return user
