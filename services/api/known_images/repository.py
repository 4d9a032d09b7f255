"""Known images in the database."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import datetime

from sqlalchemy import Row, func, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.known_images.models import KnownImage


async def changed_since(
    *, session: AsyncSession, since: datetime
) -> Sequence[Row[uuid.UUID, bytes, datetime | None, datetime]]:
    """Every entry's codes added or removed after `since`, oldest change first."""
    columns = (KnownImage.id, KnownImage.pdq_codes, KnownImage.removed_at, KnownImage.changed_at)
    query = select(*columns).where(KnownImage.changed_at > since).order_by(KnownImage.changed_at)
    return (await session.execute(query)).all()


async def last_change(*, session: AsyncSession) -> datetime | None:
    """When the latest change was made (None for an empty table)."""
    return await session.scalar(select(func.max(KnownImage.changed_at)))


async def live_codes(
    *, session: AsyncSession, batch: int
) -> AsyncIterator[Sequence[Row[uuid.UUID, bytes]]]:
    """Every live entry's id and codes, in batches (a million rows at once would not fit well)."""
    query = select(KnownImage.id, KnownImage.pdq_codes).where(KnownImage.removed_at.is_(None))
    result = await session.stream(query.execution_options(yield_per=batch))
    async for rows in result.partitions():
        yield rows


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


async def live_of_report(*, session: AsyncSession, report_id: uuid.UUID) -> Sequence[KnownImage]:
    """The live entries a report's confirmation added (one at most, by a unique index)."""
    query = select(KnownImage).where(
        KnownImage.report_id == report_id, KnownImage.removed_at.is_(None)
    )
    return (await session.scalars(query)).all()


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
