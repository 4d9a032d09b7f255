"""Deleting what a user owns, and with it every image nothing references any more."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from services.api.images import repository
from services.api.images.storage import ImageStorage


async def delete_with_orphans(
    *, session: AsyncSession, storage: ImageStorage, doomed: object, image_ids: Iterable[uuid.UUID]
) -> None:
    """Delete a row (the database cascades to what it owns), then its now-unreferenced images."""
    await session.delete(doomed)
    await session.flush()
    orphans = await repository.delete_unreferenced_images(session=session, image_ids=image_ids)
    await session.commit()
    # Files go only after the commit: a failed transaction never loses an image still in use.
    for storage_key in orphans:
        await storage.delete(key=storage_key)
