"""Images in the database."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import delete, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.images.models import Image
from services.api.jobs.models import JobItem
from services.api.predictions.models import Prediction


async def delete_unreferenced_images(
    *, session: AsyncSession, image_ids: Iterable[uuid.UUID]
) -> list[str]:
    """Delete those images no prediction references any more; return their storage keys."""
    in_history = exists().where(Prediction.image_id == Image.id)
    in_a_job = exists().where(JobItem.image_id == Image.id)
    query = select(Image).where(Image.id.in_(list(image_ids)), ~in_history, ~in_a_job)
    orphans = (await session.scalars(query)).all()
    if orphans:
        await session.execute(delete(Image).where(Image.id.in_([image.id for image in orphans])))
    return [image.storage_key for image in orphans]
