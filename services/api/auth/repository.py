"""Sign-in tokens and API keys in the database."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.auth.models import AccessToken, ApiKey


async def add_token(
    *, session: AsyncSession, user_id: uuid.UUID, token_hash: str, expires_at: datetime
) -> AccessToken:
    """Insert a sign-in token (the caller commits)."""
    token = AccessToken(user_id=user_id, token_hash=token_hash, expires_at=expires_at)
    session.add(token)
    await session.flush()
    return token


async def get_token(*, session: AsyncSession, token_hash: str) -> AccessToken | None:
    """The token with this hash, if any."""
    return await session.scalar(select(AccessToken).where(AccessToken.token_hash == token_hash))


async def revoke_token(*, session: AsyncSession, token_id: uuid.UUID, when: datetime) -> None:
    """Mark a token revoked (the caller commits)."""
    await session.execute(
        update(AccessToken).where(AccessToken.id == token_id).values(revoked_at=when)
    )


async def add_api_key(*, session: AsyncSession, api_key: ApiKey) -> ApiKey:
    """Insert an API key (the caller commits)."""
    session.add(api_key)
    await session.flush()
    return api_key


async def get_api_key_by_prefix(*, session: AsyncSession, prefix: str) -> ApiKey | None:
    """The API key with this public prefix, if any."""
    return await session.scalar(select(ApiKey).where(ApiKey.prefix == prefix))


async def list_api_keys(*, session: AsyncSession, user_id: uuid.UUID) -> Sequence[ApiKey]:
    """A user's API keys, newest first, revoked ones included."""
    query = select(ApiKey).where(ApiKey.user_id == user_id).order_by(ApiKey.created_at.desc())
    return (await session.scalars(query)).all()


async def get_api_key(
    *, session: AsyncSession, user_id: uuid.UUID, key_id: uuid.UUID
) -> ApiKey | None:
    """One of a user's API keys, if it is theirs."""
    query = select(ApiKey).where(ApiKey.id == key_id, ApiKey.user_id == user_id)
    return await session.scalar(query)


async def touch_api_key(*, session: AsyncSession, key_id: uuid.UUID, when: datetime) -> None:
    """Record that a key was used (the caller commits)."""
    await session.execute(update(ApiKey).where(ApiKey.id == key_id).values(last_used_at=when))
