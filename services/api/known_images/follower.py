"""Keeping each API replica's in-memory index in step with the known_images table."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.api.known_images import repository
from services.api.known_images.index import UNSORTED_LIMIT, BulkReading, FingerprintIndex

logger = logging.getLogger("deepcatcher.api.known_images")
# A change stamped before the watermark can commit after we read past it; re-reading the last
# minute catches it (applying a change twice does nothing).
LATE_COMMIT_OVERLAP = timedelta(seconds=60)
LOAD_BATCH = 20_000
# The watermark of an empty table: later refreshes then read changes instead of loading a new
# index, which would drop what a request adds to the index it holds meanwhile.
EMPTY_TABLE = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(slots=True)
class IndexFollower:
    """One replica's index and how far into the table's changes it has read."""

    index: FingerprintIndex = field(default_factory=FingerprintIndex)
    watermark: datetime | None = None


async def refresh(*, follower: IndexFollower, session: AsyncSession) -> int:
    """Apply every change since the last refresh; how many rows were read."""
    if follower.watermark is None:
        return await load(follower=follower, session=session)
    since = follower.watermark - LATE_COMMIT_OVERLAP
    rows = await repository.changed_since(session=session, since=since)
    await session.commit()
    follower.index.add_many({row[0]: row[1] for row in rows if row[2] is None})
    for entry_id, *_ in (row for row in rows if row[2] is not None):
        follower.index.remove(entry_id)
    if rows:
        follower.watermark = max(follower.watermark, rows[-1][3])
    if follower.index.unsorted > UNSORTED_LIMIT:
        follower.index.install(await asyncio.to_thread(follower.index.merge_job()))
    return len(rows)


async def load(*, follower: IndexFollower, session: AsyncSession) -> int:
    """Read every live entry into a new index; how many were read."""
    # Read first: a change stamped later is then read again by the next refresh.
    watermark = await repository.last_change(session=session)
    reading = BulkReading()
    async for rows in repository.live_codes(session=session, batch=LOAD_BATCH):
        reading.add(rows)
    await session.commit()
    # A million entries take seconds to sort: off the event loop.
    follower.index = FingerprintIndex(await asyncio.to_thread(reading.sorted))
    follower.watermark = watermark or EMPTY_TABLE
    return reading.entries


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
