"""Known images in the database."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Row, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.known_images.models import KnownImage


async def changed_since(
    *, session: AsyncSession, since: datetime | None
) -> Sequence[Row[uuid.UUID, str, str, datetime | None, datetime]]:
    """Every entry's hashes added or removed after `since` (all for None), oldest change first."""
    columns = (KnownImage.id, KnownImage.pdq, KnownImage.pdq_centre, KnownImage.removed_at)
    query = select(*columns, KnownImage.changed_at).order_by(KnownImage.changed_at)
    if since is not None:
        query = query.where(KnownImage.changed_at > since)
    return (await session.execute(query)).all()


async def live_by_ids(*, session: AsyncSession, ids: Sequence[uuid.UUID]) -> Sequence[KnownImage]:
    """The entries with these ids that are not removed."""
    query = select(KnownImage).where(KnownImage.id.in_(ids), KnownImage.removed_at.is_(None))
    return (await session.scalars(query)).all()


async def live_with_pdq(*, session: AsyncSession, hashes: Sequence[str]) -> set[str]:
    """Which of these whole-picture hashes a live entry already has."""
    query = select(KnownImage.pdq).where(
        KnownImage.pdq.in_(hashes), KnownImage.removed_at.is_(None)
    )
    return set((await session.scalars(query)).all())


async def get_live(*, session: AsyncSession, entry_id: uuid.UUID) -> KnownImage | None:
    """One entry that is not removed."""
    query = select(KnownImage).where(KnownImage.id == entry_id, KnownImage.removed_at.is_(None))
    return await session.scalar(query)


async def list_page(
    *,
    session: AsyncSession,
    label: str | None,
    text: str | None,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> Sequence[KnownImage]:
    """Live entries, newest first, filtered by label and by text in the note or file name."""
    query = select(KnownImage).where(KnownImage.removed_at.is_(None))
    if label:
        query = query.where(KnownImage.label == label)
    if text:
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        query = query.where(
            or_(
                KnownImage.note.ilike(pattern, escape="\\"),
                KnownImage.filename.ilike(pattern, escape="\\"),
            )
        )
    if after:
        query = query.where(tuple_(KnownImage.created_at, KnownImage.id) < tuple_(*after))
    query = query.order_by(KnownImage.created_at.desc(), KnownImage.id.desc()).limit(limit)
    return (await session.scalars(query)).all()
