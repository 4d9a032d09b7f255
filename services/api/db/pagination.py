"""Keyset pagination cursors over (created_at, id), newest first."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Query

from services.common.problems import BadRequest

Position = tuple[datetime, uuid.UUID]
INVALID_CURSOR = "The cursor is not valid."
# Documented rather than enforced, so that every bad cursor gets the same 400.
CursorQuery = Annotated[
    str | None,
    Query(
        max_length=200,
        description=(
            "The `next_cursor` of the previous page, unchanged (base64url). "
            "Any other value answers 400."
        ),
        json_schema_extra={"pattern": "^[A-Za-z0-9_-]*$"},
    ),
]


def encode_cursor(*, created_at: datetime, row_id: uuid.UUID) -> str:
    """An opaque cursor pointing just after this row."""
    raw = f"{created_at.isoformat()}|{row_id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> Position:
    """The keyset position inside a cursor, or a 400 for a cursor we did not make."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        created, _, identifier = raw.partition("|")
        return datetime.fromisoformat(created), uuid.UUID(identifier)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest(INVALID_CURSOR) from exc


def aware(moment: datetime | None) -> datetime | None:
    """A query timestamp with a timezone; one given without is taken as UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)
