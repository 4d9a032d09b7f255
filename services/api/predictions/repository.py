"""Predictions and their images in the database."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Row, func, or_, select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.images.models import Image
from services.api.predictions.models import Prediction


async def find_reusable(
    *, session: AsyncSession, sha256: str, model_version: str, owner_id: uuid.UUID | None
) -> Prediction | None:
    """The stored prediction to reuse for these bytes by this model version: the owner's newest,
    else the newest that ran the detector itself (its time is the detector's), whoever owns it."""
    query = (
        select(Prediction)
        .join(Image, Prediction.image_id == Image.id)
        .where(Image.sha256 == sha256, Prediction.model_version == model_version)
    )
    fresh = Prediction.reused.is_(False)
    if owner_id is None:
        query = query.where(fresh).order_by(Prediction.created_at.desc())
    else:
        own = Prediction.owner_id == owner_id
        query = query.where(or_(own, fresh)).order_by(own.desc(), Prediction.created_at.desc())
    return await session.scalar(query.limit(1))


async def get_or_add_image(*, session: AsyncSession, image: Image) -> Image:
    """The stored row for these bytes, inserting `image` if there is none yet."""
    found = await session.scalar(select(Image).where(Image.sha256 == image.sha256))
    if found is not None:
        return found
    try:
        async with session.begin_nested():
            session.add(image)
        return image
    except IntegrityError:  # inserted concurrently by another request: use that row
        return await session.scalar(select(Image).where(Image.sha256 == image.sha256)) or image


async def add(*, session: AsyncSession, prediction: Prediction) -> Prediction:
    """Insert a prediction (the caller commits)."""
    session.add(prediction)
    await session.flush()
    return prediction


async def get_owned(
    *, session: AsyncSession, owner_id: uuid.UUID, prediction_id: uuid.UUID
) -> Prediction | None:
    """A prediction if this owner has it; someone else's reads as missing."""
    query = select(Prediction).where(
        Prediction.id == prediction_id, Prediction.owner_id == owner_id
    )
    return await session.scalar(query)


async def list_page(
    *,
    session: AsyncSession,
    owner_id: uuid.UUID,
    verdict: str | None,
    created_from: datetime | None,
    created_to: datetime | None,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> Sequence[Prediction]:
    """Up to `limit` of the owner's predictions, newest first, after a keyset position."""
    query = select(Prediction).where(Prediction.owner_id == owner_id)
    if verdict:
        query = query.where(Prediction.verdict == verdict)
    if created_from:
        query = query.where(Prediction.created_at >= created_from)
    if created_to:
        query = query.where(Prediction.created_at < created_to)
    if after:
        query = query.where(tuple_(Prediction.created_at, Prediction.id) < tuple_(*after))
    query = query.order_by(Prediction.created_at.desc(), Prediction.id.desc()).limit(limit)
    return (await session.scalars(query)).all()


async def recent_fingerprints(
    *, session: AsyncSession, owner_id: uuid.UUID, limit: int
) -> Sequence[Row[uuid.UUID, str, str, datetime, str | None]]:
    """The owner's newest hashed predictions: id, filename, verdict, created_at and PDQ."""
    query = (
        select(
            Prediction.id,
            Prediction.filename,
            Prediction.verdict,
            Prediction.created_at,
            Prediction.pdq,
        )
        .where(Prediction.owner_id == owner_id, Prediction.pdq.is_not(None))
        .order_by(Prediction.created_at.desc())
        .limit(limit)
    )
    return (await session.execute(query)).all()


async def image_ids_of_owner(*, session: AsyncSession, owner_id: uuid.UUID) -> list[uuid.UUID]:
    """Every image the owner's predictions point at."""
    query = select(Prediction.image_id).where(Prediction.owner_id == owner_id).distinct()
    return list((await session.scalars(query)).all())


async def count_for_image(*, session: AsyncSession, image_id: uuid.UUID) -> int:
    """How many predictions reference an image."""
    query = select(func.count()).select_from(Prediction).where(Prediction.image_id == image_id)
    return int(await session.scalar(query) or 0)
