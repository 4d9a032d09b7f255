"""A user's history: pages, one prediction, deleting, and the image behind it."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.api.db.pagination import decode_cursor, encode_cursor
from services.api.images.service import delete_with_orphans
from services.api.images.storage import ImageStorage
from services.api.predictions import repository
from services.api.predictions.models import Prediction
from services.api.predictions.presenters import summary_out
from services.api.predictions.schemas import PredictionPage
from services.common.problems import NotFound


async def page(
    *,
    session: AsyncSession,
    owner_id: uuid.UUID,
    verdict: str | None,
    created_from: datetime | None,
    created_to: datetime | None,
    cursor: str | None,
    limit: int,
) -> PredictionPage:
    """One page of the owner's history, newest first."""
    rows = await repository.list_page(
        session=session,
        owner_id=owner_id,
        verdict=verdict,
        created_from=created_from,
        created_to=created_to,
        after=decode_cursor(cursor) if cursor else None,
        limit=limit + 1,
    )
    page, more = rows[:limit], len(rows) > limit
    return PredictionPage(
        items=[summary_out(row) for row in page],
        next_cursor=(
            encode_cursor(created_at=page[-1].created_at, row_id=page[-1].id) if more else None
        ),
    )


async def get_owned(
    *, session: AsyncSession, owner_id: uuid.UUID, prediction_id: uuid.UUID
) -> Prediction:
    """The owner's prediction; anyone else's answers exactly like a missing one."""
    prediction = await repository.get_owned(
        session=session, owner_id=owner_id, prediction_id=prediction_id
    )
    if prediction is None:
        raise NotFound("No prediction with that id.")
    return prediction


async def delete(
    *, session: AsyncSession, storage: ImageStorage, owner_id: uuid.UUID, prediction_id: uuid.UUID
) -> None:
    """Delete a prediction, and its image once nothing references it."""
    prediction = await get_owned(session=session, owner_id=owner_id, prediction_id=prediction_id)
    await delete_with_orphans(
        session=session, storage=storage, doomed=prediction, image_ids=[prediction.image_id]
    )


async def image_bytes(
    *, session: AsyncSession, storage: ImageStorage, owner_id: uuid.UUID, prediction_id: uuid.UUID
) -> tuple[bytes, str]:
    """The bytes and MIME type of the image behind one of the owner's predictions."""
    prediction = await get_owned(session=session, owner_id=owner_id, prediction_id=prediction_id)
    data = await storage.get(key=prediction.image.storage_key)
    if data is None:
        raise NotFound("The image is no longer stored.")
    return data, prediction.image.mime_type
