"""Idempotency-Key: a retried POST gets the first answer instead of doing the work again."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.db.base import utcnow
from services.api.idempotency.models import IdempotencyRecord
from services.common.problems import UnprocessableContent

KEY_LIFETIME = timedelta(hours=24)
MAX_KEY_LENGTH = 255


class IdempotencyKeyMismatch(UnprocessableContent):
    slug = "idempotency-key-reused"


@dataclass(frozen=True, slots=True)
class KeyedRequest:
    """A user's request carrying an Idempotency-Key, and a hash of what it asked for."""

    user_id: uuid.UUID
    key: str
    request_hash: str


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    """The first answer to a request, to replay."""

    status: int
    body: dict[str, Any]


def fingerprint(parts: list[Any]) -> str:
    """A stable hash of what a request asked for."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


async def replay(*, session: AsyncSession, request: KeyedRequest) -> StoredAnswer | None:
    """The stored answer for this key, if the same request was answered before."""
    record = await session.scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.user_id == request.user_id, IdempotencyRecord.key == request.key
        )
    )
    if record is None:
        return None
    if record.created_at < utcnow() - KEY_LIFETIME:
        await session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.id == record.id))
        return None
    if record.request_hash != request.request_hash:
        raise IdempotencyKeyMismatch(
            "This Idempotency-Key was already used for a different request."
        )
    return StoredAnswer(status=record.response_status, body=record.response_body)


def remember(*, session: AsyncSession, request: KeyedRequest, answer: StoredAnswer) -> None:
    """Store the answer in the same transaction as the work it describes."""
    session.add(
        IdempotencyRecord(
            user_id=request.user_id,
            key=request.key,
            request_hash=request.request_hash,
            response_status=answer.status,
            response_body=answer.body,
        )
    )
