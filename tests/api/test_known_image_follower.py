"""A replica's index follows the known_images table: loads it, adds, sorts in, removes."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import AsyncEngine

from services.api.db.base import utcnow
from services.api.db.engine import create_session_factory
from services.api.known_images import follower as following
from services.api.known_images.follower import IndexFollower, refresh
from services.api.known_images.models import KnownImage
from tests.support.fingerprints import known_row


async def test_loaded_added_sorted_in_and_removed_entries(
    db_engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = np.random.default_rng(7)
    first, second = (known_row(rng.bytes(6 * 32)) for _ in range(2))
    last_side = second["pdq_codes"][-32:].hex()
    sessions = create_session_factory(db_engine)
    follower = IndexFollower()
    async with sessions() as session:
        await session.execute(insert(KnownImage), [first])
        await session.commit()
        await refresh(follower=follower, session=session)  # the start-up load
        await session.execute(insert(KnownImage), [second])
        await session.commit()
        monkeypatch.setattr(following, "UNSORTED_LIMIT", 0)  # sort every new entry in at once
        await refresh(follower=follower, session=session)
        assert follower.index.unsorted == 0
        found = follower.index.nearest([first["pdq"], last_side])
        assert found == {first["id"]: 0, second["id"]: 0}
        removal = update(KnownImage).where(KnownImage.id == second["id"])
        await session.execute(removal.values(removed_at=utcnow(), changed_at=utcnow()))
        await session.commit()
        await refresh(follower=follower, session=session)
    assert follower.index.nearest([last_side]) == {}


async def test_an_entry_added_after_starting_on_an_empty_table_is_kept(
    db_engine: AsyncEngine, clean_database: None
) -> None:
    entry = known_row(np.random.default_rng(8).bytes(6 * 32))
    sessions = create_session_factory(db_engine)
    follower = IndexFollower()
    async with sessions() as session:
        await refresh(follower=follower, session=session)  # the start-up load: nothing yet
        index = follower.index  # what a request adding an entry holds
        await session.execute(insert(KnownImage), [entry])
        await session.commit()
        index.add(entry_id=entry["id"], codes=entry["pdq_codes"])
        await refresh(follower=follower, session=session)

    assert follower.index is index and follower.index.nearest([entry["pdq"]]) == {entry["id"]: 0}
