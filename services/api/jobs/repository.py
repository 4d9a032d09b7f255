"""Jobs and their items in the database; updates are conditional so retries cannot double up."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import exists, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from services.api.db.base import utcnow
from services.api.db.pagination import Position
from services.api.jobs.models import Job, JobItem
from services.api.predictions.models import Prediction
from services.api.users.models import User


async def get_owned(*, session: AsyncSession, owner_id: uuid.UUID, job_id: uuid.UUID) -> Job | None:
    """A job if this owner has it; someone else's reads as missing."""
    query = select(Job).where(Job.id == job_id, Job.owner_id == owner_id)
    return await session.scalar(query)


async def get_job(*, session: AsyncSession, job_id: uuid.UUID) -> Job | None:
    """A job by id, whoever owns it (for workers)."""
    return await session.get(Job, job_id)


async def list_page(
    *, session: AsyncSession, owner_id: uuid.UUID, after: Position | None, limit: int
) -> Sequence[Job]:
    """Up to `limit` of the owner's jobs, newest first."""
    query = select(Job).where(Job.owner_id == owner_id)
    if after:
        query = query.where(tuple_(Job.created_at, Job.id) < tuple_(*after))
    query = query.order_by(Job.created_at.desc(), Job.id.desc()).limit(limit)
    return (await session.scalars(query)).all()


async def get_item(*, session: AsyncSession, item_id: uuid.UUID) -> JobItem | None:
    """One item with its job."""
    query = select(JobItem).where(JobItem.id == item_id).options(selectinload(JobItem.job))
    return await session.scalar(query)


async def image_ids_of_owner(*, session: AsyncSession, owner_id: uuid.UUID) -> list[uuid.UUID]:
    """Every image the owner's job items point at, checked or not."""
    query = select(JobItem.image_id).join(Job).where(Job.owner_id == owner_id)
    return [image_id for image_id in (await session.scalars(query.distinct())) if image_id]


async def predictions_of(
    *, session: AsyncSession, prediction_ids: list[uuid.UUID]
) -> dict[uuid.UUID, Prediction]:
    """The predictions a job's items produced, by id."""
    if not prediction_ids:
        return {}
    rows = await session.scalars(select(Prediction).where(Prediction.id.in_(prediction_ids)))
    return {row.id: row for row in rows}


async def pending_item_ids(*, session: AsyncSession, older_than: datetime) -> list[uuid.UUID]:
    """Items still pending since before a moment: their queue message may have been lost."""
    query = select(JobItem.id).where(JobItem.status == "pending", JobItem.updated_at < older_than)
    return list((await session.scalars(query)).all())


async def unfinished_job_ids(*, session: AsyncSession) -> list[uuid.UUID]:
    """Jobs not marked completed although no item is pending (their last worker died between)."""
    still_pending = exists().where(JobItem.job_id == Job.id, JobItem.status == "pending")
    query = select(Job.id).where(Job.status != "completed", ~still_pending)
    return list((await session.scalars(query)).all())


async def mark_running(*, session: AsyncSession, job_id: uuid.UUID) -> None:
    """Note that a worker has started on the job."""
    await session.execute(
        update(Job).where(Job.id == job_id, Job.status == "queued").values(status="running")
    )


async def claim_item(*, session: AsyncSession, item_id: uuid.UUID, owner_id: uuid.UUID) -> bool:
    """Hold a pending item, and its owner's account, until this transaction ends.

    False if the item is finished or gone (its job or account was deleted meanwhile).
    """
    # Owner before item, the order an account deletion locks them in, so neither waits on the
    # other; the write takes the item's row (PostgreSQL) or the database's write lock (SQLite).
    owner = select(User.id).where(User.id == owner_id).with_for_update(read=True, key_share=True)
    await session.execute(owner)
    result = await session.execute(
        update(JobItem)
        .where(JobItem.id == item_id, JobItem.status == "pending")
        .values(updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


async def item_exists(*, session: AsyncSession, item_id: uuid.UUID) -> bool:
    """Whether an item is still there (its job not deleted)."""
    return await session.scalar(select(JobItem.id).where(JobItem.id == item_id)) is not None


async def finish_item(
    *,
    session: AsyncSession,
    item_id: uuid.UUID,
    prediction_id: uuid.UUID | None,
    error: dict[str, Any] | None,
) -> bool:
    """Mark a pending item done or failed; False if another worker finished it first."""
    result = await session.execute(
        update(JobItem)
        .where(JobItem.id == item_id, JobItem.status == "pending")
        .values(
            status="error" if error else "done",
            prediction_id=prediction_id,
            error=error,
            attempts=JobItem.attempts + 1,
            updated_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


async def complete_if_finished(*, session: AsyncSession, job_id: uuid.UUID) -> bool:
    """Mark the job completed once no item is pending; True only for the one caller who did."""
    still_pending = exists().where(JobItem.job_id == job_id, JobItem.status == "pending")
    result = await session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status != "completed", ~still_pending)
        .values(status="completed", finished_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


async def record_webhook_attempt(
    *, session: AsyncSession, job_id: uuid.UUID, delivered: bool, error: str | None
) -> None:
    """Count a delivery attempt and its outcome."""
    await session.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(
            webhook_attempts=Job.webhook_attempts + 1,
            webhook_delivered_at=utcnow() if delivered else None,
            webhook_last_error=error[:500] if error else None,
        )
        .execution_options(synchronize_session=False)
    )
