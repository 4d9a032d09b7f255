"""Creating bulk jobs and reporting their progress."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import partial

import anyio
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.auth.principal import Principal
from services.api.config import ApiSettings
from services.api.db.pagination import decode_cursor, encode_cursor
from services.api.images.service import delete_with_orphans
from services.api.images.storage import ImageStorage
from services.api.jobs import archives, repository
from services.api.jobs.models import Job, JobItem
from services.api.jobs.queue import JobQueue
from services.api.jobs.schemas import (
    JobCreated,
    JobItemOut,
    JobOut,
    JobPage,
    JobSummary,
    WebhookOut,
)
from services.api.jobs.webhooks import check_callback_url, new_secret
from services.api.links.fetcher import parse_link
from services.api.links.service import filename_of
from services.api.predictions.detection import store_image
from services.api.predictions.models import Prediction
from services.api.predictions.uploads import CheckedUpload, check_bytes
from services.api.ratelimit.limiter import RateLimiter
from services.common.problems import NotFound, ProblemError, UnprocessableContent


@dataclass(frozen=True, slots=True)
class Bulk:
    """What creating a job needs: the database, the image store, the queue and the limits."""

    session: AsyncSession
    storage: ImageStorage
    queue: JobQueue
    limiter: RateLimiter
    settings: ApiSettings


async def create(
    *,
    bulk: Bulk,
    owner: Principal,
    files: list[archives.NamedFile],
    callback_url: str | None,
) -> JobCreated:
    """Charge every image to the caller's rate limit, store and queue them, answer at once."""
    plan = await _plan(files=files, settings=bulk.settings)
    try:
        bucket, identity = owner.rate_limit_identity
        await bulk.limiter.hit(bucket=bucket, identity=identity, cost=len(plan.members))
        if callback_url is not None:
            await check_callback_url(
                callback_url, allow_private=bulk.settings.webhook_allow_private_hosts
            )
        await bulk.queue.ensure_available()
        items = [
            await _item(bulk=bulk, index=index, member=member)
            for index, member in enumerate(plan.members)
        ]
    finally:
        await anyio.to_thread.run_sync(plan.close)
    return await _save(bulk=bulk, owner_id=owner.user.id, items=items, callback_url=callback_url)


async def create_from_links(
    *, bulk: Bulk, owner: Principal, urls: list[str], callback_url: str | None
) -> JobCreated:
    """Queue every link for a worker to fetch and check; a malformed one is an item's error."""
    if len(urls) > bulk.settings.max_job_items:
        raise UnprocessableContent(f"Send at most {bulk.settings.max_job_items} links per job.")
    bucket, identity = owner.rate_limit_identity
    await bulk.limiter.hit(bucket=bucket, identity=identity, cost=len(urls))
    if callback_url is not None:
        await check_callback_url(
            callback_url, allow_private=bulk.settings.webhook_allow_private_hosts
        )
    await bulk.queue.ensure_available()
    items = [_link_item(index=index, url=url) for index, url in enumerate(urls)]
    return await _save(bulk=bulk, owner_id=owner.user.id, items=items, callback_url=callback_url)


def _link_item(*, index: int, url: str) -> JobItem:
    """A pending item for a link, or an error item for one that is no http(s) address."""
    filename = filename_of(url)
    try:
        parse_link(url)
    except ProblemError as error:
        error_body = error.to_problem().model_dump(exclude_none=True)
        return JobItem(index=index, filename=filename, status="error", error=error_body)
    return JobItem(index=index, filename=filename, source_url=url[:2048])


async def _save(
    *, bulk: Bulk, owner_id: uuid.UUID, items: list[JobItem], callback_url: str | None
) -> JobCreated:
    secret = new_secret() if callback_url else None
    job = Job(
        owner_id=owner_id,
        total=len(items),
        callback_url=callback_url,
        callback_secret=secret,
        items=items,
    )
    bulk.session.add(job)
    await bulk.session.flush()
    finished = await repository.complete_if_finished(session=bulk.session, job_id=job.id)
    await bulk.session.commit()
    for item in job.items:
        if item.status == "pending":
            await bulk.queue.enqueue_item(item_id=item.id)
    if finished and callback_url:
        await bulk.queue.enqueue_webhook(job_id=job.id)
    await bulk.session.refresh(job)
    out = await job_out(session=bulk.session, job=job)
    return JobCreated(**out.model_dump(), callback_secret=secret)


async def _plan(*, files: list[archives.NamedFile], settings: ApiSettings) -> archives.Plan:
    """The request's members, from the zips' directories alone, off the event loop."""
    limits = archives.ArchiveLimits(
        max_items=settings.max_job_items,
        max_member_bytes=settings.max_upload_bytes,
        max_expanded_bytes=settings.max_job_expanded_bytes,
        max_ratio=settings.max_zip_ratio,
    )
    plan = await anyio.to_thread.run_sync(partial(archives.plan, files, limits=limits))
    if not plan.members:
        raise UnprocessableContent("The job has no images.")
    return plan


async def _item(*, bulk: Bulk, index: int, member: archives.Member) -> JobItem:
    """Check one member and store its bytes; only one member's bytes are held at a time."""
    upload = await _checked(index=index, member=member, settings=bulk.settings)
    if upload.error is not None:
        error = upload.error.to_problem().model_dump(exclude_none=True)
        return JobItem(index=index, filename=upload.filename, status="error", error=error)
    image = await store_image(session=bulk.session, storage=bulk.storage, upload=upload)
    return JobItem(index=index, filename=upload.filename, image_id=image.id)


async def _checked(*, index: int, member: archives.Member, settings: ApiSettings) -> CheckedUpload:
    max_bytes = settings.max_upload_bytes
    try:
        data = await anyio.to_thread.run_sync(partial(archives.read, member, max_bytes=max_bytes))
    except ProblemError as error:
        filename = (member.filename or "upload")[:255]
        return CheckedUpload(index=index, filename=filename, error=error)
    return await check_bytes(
        index=index,
        filename=member.filename,
        data=data,
        max_bytes=max_bytes,
        max_pixels=settings.max_image_pixels,
    )


async def get_owned(*, session: AsyncSession, owner_id: uuid.UUID, job_id: uuid.UUID) -> Job:
    """The owner's job; anyone else's answers exactly like a missing one."""
    job = await repository.get_owned(session=session, owner_id=owner_id, job_id=job_id)
    if job is None:
        raise NotFound("No job with that id.")
    return job


async def job_out(*, session: AsyncSession, job: Job) -> JobOut:
    """A job with every item's result."""
    predictions = await repository.predictions_of(
        session=session, prediction_ids=[i.prediction_id for i in job.items if i.prediction_id]
    )
    items = [_item_out(item, predictions) for item in job.items]
    return JobOut(**summary_of(job).model_dump(), items=items, webhook=_webhook_of(job))


def _item_out(item: JobItem, predictions: dict[uuid.UUID, Prediction]) -> JobItemOut:
    prediction = predictions.get(item.prediction_id) if item.prediction_id else None
    return JobItemOut.model_validate(
        {
            "index": item.index,
            "filename": item.filename,
            "status": item.status,
            "source_url": item.source_url,
            "prediction_id": item.prediction_id,
            "verdict": prediction.verdict if prediction else None,
            "score": prediction.score if prediction else None,
            "error": item.error,
        }
    )


def summary_of(job: Job) -> JobSummary:
    """A job's counts."""
    statuses = [item.status for item in job.items]
    return JobSummary.model_validate(
        {
            "id": job.id,
            "status": job.status,
            "total": job.total,
            "done": statuses.count("done"),
            "failed": statuses.count("error"),
            "pending": statuses.count("pending"),
            "created_at": job.created_at,
            "finished_at": job.finished_at,
        }
    )


def _webhook_of(job: Job) -> WebhookOut | None:
    if job.callback_url is None:
        return None
    return WebhookOut(
        url=job.callback_url,
        attempts=job.webhook_attempts,
        delivered_at=job.webhook_delivered_at,
        last_error=job.webhook_last_error,
    )


async def page(
    *, session: AsyncSession, owner_id: uuid.UUID, cursor: str | None, limit: int
) -> JobPage:
    """The owner's jobs, newest first."""
    rows = await repository.list_page(
        session=session,
        owner_id=owner_id,
        after=decode_cursor(cursor) if cursor else None,
        limit=limit + 1,
    )
    items, more = rows[:limit], len(rows) > limit
    last = items[-1] if more else None
    return JobPage(
        items=[summary_of(job) for job in items],
        next_cursor=encode_cursor(created_at=last.created_at, row_id=last.id) if last else None,
    )


async def delete(
    *, session: AsyncSession, storage: ImageStorage, owner_id: uuid.UUID, job_id: uuid.UUID
) -> None:
    """Forget a job; its predictions stay in history, images no one references go."""
    job = await get_owned(session=session, owner_id=owner_id, job_id=job_id)
    image_ids = [item.image_id for item in job.items if item.image_id]
    await delete_with_orphans(session=session, storage=storage, doomed=job, image_ids=image_ids)
