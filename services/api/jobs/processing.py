"""What a worker does: check one item exactly once into history, then finish the job."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from services.api.clients.inference import InferenceClient, InferenceUnavailable
from services.api.config import ApiSettings
from services.api.db.base import utcnow
from services.api.images.models import Image
from services.api.images.storage import ImageStorage
from services.api.jobs import repository, webhooks
from services.api.jobs.models import JobItem
from services.api.jobs.queue import JobQueue
from services.api.jobs.schemas import WebhookPayload
from services.api.jobs.service import summary_of
from services.api.known_images import service as known_images
from services.api.known_images.follower import IndexFollower, refresh
from services.api.links import service as links
from services.api.links.fetcher import LinkFetcher
from services.api.predictions.coalescing import InflightChecks
from services.api.predictions.detection import detect, new_prediction, reuse_stored, store_image
from services.api.predictions.uploads import CheckedUpload, check_bytes
from services.common.contract import ModelRef
from services.common.images import ImageFacts
from services.common.problems import ProblemError

logger = logging.getLogger("deepcatcher.worker")


@dataclass(frozen=True, slots=True)
class WorkerDeps:
    """What a worker process builds once at start-up."""

    settings: ApiSettings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    storage: ImageStorage
    inference: InferenceClient
    inflight: InflightChecks
    queue: JobQueue
    webhook_http: httpx.AsyncClient
    known: IndexFollower
    links: LinkFetcher


class TryAgain(Exception):
    """The item could not be checked now (the detector is down); the queue retries it."""


async def check_item(*, deps: WorkerDeps, item_id: uuid.UUID, last_try: bool) -> str:
    """Check one pending item; a repeat delivery of the same item changes nothing."""
    async with deps.sessions() as session:
        item = await repository.get_item(session=session, item_id=item_id)
        if item is None or item.status != "pending":
            return "skipped"
        job_id, owner_id = item.job_id, item.job.owner_id
        image, upload = await _image_of(deps=deps, session=session, item=item)
        if upload is None:  # its job was deleted since (items keep their image otherwise)
            return "skipped"
        await repository.mark_running(session=session, job_id=job_id)
        if upload.ok:
            model = await _model(deps, last_try)
            await reuse_stored(session=session, upload=upload, model=model, owner_id=owner_id)
        await session.commit()  # hold no connection while the detector works
        if upload.ok and upload.result is None:
            await _detect_or_retry(
                deps=deps, upload=upload, model=model, owner_id=owner_id, last_try=last_try
            )
        await _match(deps=deps, session=session, upload=upload, owner_id=owner_id)
        outcome = await _finish(session=session, item=item, image=image, upload=upload)
    if outcome == "gone":
        logger.info("job %s was deleted while it ran; its item is dropped", job_id)
    elif outcome != "duplicate":
        await _complete_job(deps=deps, job_id=job_id)
    return outcome


async def _image_of(
    *, deps: WorkerDeps, session: AsyncSession, item: JobItem
) -> tuple[Image | None, CheckedUpload | None]:
    """The item's stored image and bytes; a link's are fetched (again, on a redelivery) first."""
    if item.source_url is not None:
        return await _fetched(deps=deps, session=session, item=item, url=item.source_url)
    image = await session.get(Image, item.image_id) if item.image_id else None
    if image is None:
        return None, None
    return image, await _upload_of(deps=deps, item=item, image=image)


async def _fetched(
    *, deps: WorkerDeps, session: AsyncSession, item: JobItem, url: str
) -> tuple[Image | None, CheckedUpload]:
    """A link item's image, checked as an upload's and stored; or why it cannot be checked."""
    await session.commit()  # hold no connection while the link is fetched
    try:
        linked = await links.fetch_image(fetcher=deps.links, url=url)
    except ProblemError as error:
        return None, CheckedUpload(index=item.index, filename=item.filename, error=error)
    upload = await check_bytes(
        index=item.index,
        filename=item.filename,
        data=linked.data,
        max_bytes=deps.settings.max_upload_bytes,
        max_pixels=deps.settings.max_image_pixels,
    )
    if upload.facts is None:
        return None, upload
    upload.source = links.size_note(
        linked=linked, width=upload.facts.width, height=upload.facts.height
    )
    image = await store_image(session=session, storage=deps.storage, upload=upload)
    item.image_id = image.id
    return image, upload


async def _upload_of(*, deps: WorkerDeps, item: JobItem, image: Image) -> CheckedUpload:
    data = await deps.storage.get(key=image.storage_key) or b""
    facts = ImageFacts(format="", mime_type=image.mime_type, width=image.width, height=image.height)
    return CheckedUpload(
        index=item.index, filename=item.filename, data=data, sha256=image.sha256, facts=facts
    )


async def _model(deps: WorkerDeps, last_try: bool) -> ModelRef:
    try:
        return await deps.inference.current_model()
    except InferenceUnavailable as exc:
        if last_try:
            raise
        raise TryAgain(str(exc)) from exc


async def _match(
    *, deps: WorkerDeps, session: AsyncSession, upload: CheckedUpload, owner_id: uuid.UUID
) -> None:
    """Known images and the owner's look-alikes, as for a check sent to the API directly."""
    if upload.result is None:
        return
    await refresh(follower=deps.known, session=session)
    upload.result = await known_images.matched(
        session=session,
        index=deps.known.index,
        result=upload.result,
        owner_id=owner_id,
        admin=False,
    )


async def _detect_or_retry(
    *,
    deps: WorkerDeps,
    upload: CheckedUpload,
    model: ModelRef,
    owner_id: uuid.UUID,
    last_try: bool,
) -> None:
    try:
        await detect(
            inference=deps.inference,
            inflight=deps.inflight,
            upload=upload,
            model=model,
            owner_id=owner_id,
        )
    except InferenceUnavailable as exc:
        if not last_try:
            raise TryAgain(str(exc)) from exc
        upload.error = exc


async def _finish(
    *, session: AsyncSession, item: JobItem, image: Image | None, upload: CheckedUpload
) -> str:
    """Write the prediction and mark the item in one transaction, or nothing at all."""
    item_id, owner_id = item.id, item.job.owner_id
    if not await repository.claim_item(session=session, item_id=item_id, owner_id=owner_id):
        await session.rollback()  # another worker finished it, or its job was deleted
        gone = not await repository.item_exists(session=session, item_id=item_id)
        return "gone" if gone else "duplicate"
    prediction_id, error = None, None
    if upload.error is not None:
        error = upload.error.to_problem().model_dump(exclude_none=True)
    else:
        assert image is not None  # an upload without an error has its image stored
        prediction = new_prediction(upload=upload, owner_id=owner_id, image=image)
        session.add(prediction)
        await session.flush()
        prediction_id = prediction.id
    await repository.finish_item(
        session=session, item_id=item_id, prediction_id=prediction_id, error=error
    )
    await session.commit()
    return "error" if error else "done"


async def give_up(*, deps: WorkerDeps, item_id: uuid.UUID, reason: str) -> str:
    """Record an item that failed on every try as an error, so the job can still finish."""
    problem = ProblemError(f"Checking this image failed on every try ({reason}).")
    async with deps.sessions() as session:
        item = await repository.get_item(session=session, item_id=item_id)
        claimed = await repository.finish_item(
            session=session,
            item_id=item_id,
            prediction_id=None,
            error=problem.to_problem().model_dump(exclude_none=True),
        )
        await session.commit()
    if item is not None and claimed:
        await _complete_job(deps=deps, job_id=item.job_id)
    return "error"


async def _complete_job(*, deps: WorkerDeps, job_id: uuid.UUID) -> None:
    async with deps.sessions() as session:
        finished = await repository.complete_if_finished(session=session, job_id=job_id)
        await session.commit()
    if finished:
        logger.info("job completed", extra={"job_id": str(job_id)})
        await deps.queue.enqueue_webhook(job_id=job_id)


async def deliver_webhook(*, deps: WorkerDeps, job_id: uuid.UUID) -> str:
    """Send the job's signed completion callback; a failure is raised for the queue to retry."""
    async with deps.sessions() as session:
        job = await repository.get_job(session=session, job_id=job_id)
        if job is None or job.callback_url is None or job.webhook_delivered_at is not None:
            return "skipped"
        body = WebhookPayload(job=summary_of(job)).model_dump_json().encode()
        url, secret = job.callback_url, job.callback_secret or ""
    error: str | None = None
    try:
        await webhooks.check_callback_url(
            url, allow_private=deps.settings.webhook_allow_private_hosts
        )
        await webhooks.deliver(http=deps.webhook_http, url=url, secret=secret, body=body)
    except (webhooks.WebhookFailed, webhooks.UnsafeCallbackUrl) as exc:
        error = str(exc)
    async with deps.sessions() as session:
        await repository.record_webhook_attempt(
            session=session, job_id=job_id, delivered=error is None, error=error
        )
        await session.commit()
    if error:
        raise webhooks.WebhookFailed(error)
    return "delivered"


async def requeue_stale(*, deps: WorkerDeps, older_than_s: float) -> int:
    """Queue again items pending too long (their queue message was lost, say Redis restarted),
    and complete jobs whose worker died after their last item but before marking them."""
    async with deps.sessions() as session:
        stale = await repository.pending_item_ids(
            session=session, older_than=utcnow() - timedelta(seconds=older_than_s)
        )
        unfinished = await repository.unfinished_job_ids(session=session)
    for job_id in unfinished:
        await _complete_job(deps=deps, job_id=job_id)
    for item_id in stale:
        await deps.queue.enqueue_item(item_id=item_id, again=True)
    return len(stale)
