"""Keyset pagination cursors over (created_at, id), newest first."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime

from services.common.problems import BadRequest

Position = tuple[datetime, uuid.UUID]


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
        raise BadRequest("The cursor is not valid.") from exc


def aware(moment: datetime | None) -> datetime | None:
    """A query timestamp with a timezone; one given without is taken as UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)
