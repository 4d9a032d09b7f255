"""Keeping each API replica's in-memory index in step with the known_images table."""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.api.known_images import repository
from services.api.known_images.index import FingerprintIndex

logger = logging.getLogger("deepcatcher.api.known_images")
# A change stamped before the watermark can commit after we read past it; re-reading the last
# minute catches it (applying a change twice does nothing).
LATE_COMMIT_OVERLAP = timedelta(seconds=60)


@dataclass(slots=True)
class IndexFollower:
    """One replica's index and how far into the table's changes it has read."""

    index: FingerprintIndex = field(default_factory=FingerprintIndex)
    watermark: datetime | None = None


async def refresh(*, follower: IndexFollower, session: AsyncSession) -> int:
    """Apply every change since the last refresh; how many rows were read."""
    since = follower.watermark - LATE_COMMIT_OVERLAP if follower.watermark else None
    rows = await repository.changed_since(session=session, since=since)
    await session.commit()
    added = {row[0]: [row[1], row[2]] for row in rows if row[3] is None}
    if follower.watermark is None:
        # The first load may hold a million entries: build a new index off the event loop.
        # Changes committed meanwhile are newer than this read, so the next refresh adds them.
        follower.index = await asyncio.to_thread(_built, added)
    else:
        follower.index.add_many(added)
    for entry_id, *_ in (row for row in rows if row[3] is not None):
        follower.index.remove(entry_id)
    if rows:
        follower.watermark = max(follower.watermark or rows[-1][4], rows[-1][4])
    return len(rows)


def _built(entries: dict[uuid.UUID, list[str]]) -> FingerprintIndex:
    index = FingerprintIndex()
    index.add_many(entries)
    return index


async def follow(
    *, follower: IndexFollower, sessions: async_sessionmaker[AsyncSession], every_s: float
) -> None:
    """Refresh forever; a failed refresh is logged and tried again next time."""
    while True:
        await asyncio.sleep(every_s)
        await refresh_once(follower=follower, sessions=sessions)


async def refresh_once(
    *, follower: IndexFollower, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """One refresh in its own session; a failure (no table yet, database down) is logged."""
    try:
        async with sessions() as session:
            await refresh(follower=follower, session=session)
    except Exception:
        logger.exception("refreshing the known-images index failed")
