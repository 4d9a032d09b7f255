"""The arq worker process: `deepcatcher worker` runs these tasks, as many processes as you like."""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Any

import httpx
from arq import Retry
from arq.cron import cron
from arq.worker import Worker, async_check_health, func

from services.api.clients.inference import inference_client_for
from services.api.config import ApiSettings
from services.api.db import models as _all_tables  # noqa: F401 - every mapper, for relationships
from services.api.db.engine import create_engine, create_session_factory
from services.api.images.storage import LocalImageStorage
from services.api.jobs import processing
from services.api.jobs.queue import CHECK_ITEM, DELIVER_WEBHOOK, JobQueue, redis_settings
from services.api.jobs.webhooks import WebhookFailed
from services.api.known_images.follower import IndexFollower
from services.api.links.fetcher import LinkFetcher, link_limits
from services.api.predictions.coalescing import InflightChecks
from services.common.observability import configure_logging

Context = dict[str, Any]
logger = logging.getLogger("deepcatcher.worker")
# A message not picked up within this long is assumed lost and queued again.
STALE_AFTER_S = 300.0


def _deps(ctx: Context) -> processing.WorkerDeps:
    deps: processing.WorkerDeps = ctx["deps"]
    return deps


async def check_item(ctx: Context, item_id: str) -> str:
    """Check one job item, retried with backoff while it fails; the last failure is recorded."""
    deps, item = _deps(ctx), uuid.UUID(item_id)
    last_try = ctx["job_try"] >= deps.settings.job_item_max_tries
    try:
        return await processing.check_item(deps=deps, item_id=item, last_try=last_try)
    except processing.TryAgain as exc:
        raise Retry(defer=min(2 ** ctx["job_try"], 60)) from exc
    except Exception as exc:
        logger.exception("checking a job item failed", extra={"item_id": item_id})
        if not last_try:
            raise Retry(defer=min(2 ** ctx["job_try"], 60)) from exc
        return await processing.give_up(deps=deps, item_id=item, reason=type(exc).__name__)


async def deliver_webhook(ctx: Context, job_id: str) -> str:
    """Deliver a job's completion callback (retried with backoff)."""
    try:
        return await processing.deliver_webhook(deps=_deps(ctx), job_id=uuid.UUID(job_id))
    except WebhookFailed as exc:
        if ctx["job_try"] >= _deps(ctx).settings.webhook_max_tries:
            return f"gave up: {exc}"
        raise Retry(defer=min(2 ** ctx["job_try"], 300)) from exc


async def requeue_stale(ctx: Context) -> int:
    """Queue again items whose queue message was lost."""
    return await processing.requeue_stale(deps=_deps(ctx), older_than_s=STALE_AFTER_S)


def build_deps(
    settings: ApiSettings, *, inference_transport: httpx.AsyncBaseTransport | None = None
) -> processing.WorkerDeps:
    """The database, storage, detector client and queue a worker uses."""
    engine = create_engine(
        url=settings.database_url,
        statement_cache_size=settings.database_statement_cache_size,
        pool_size=settings.worker_concurrency + 1,
    )
    return processing.WorkerDeps(
        settings=settings,
        engine=engine,
        sessions=create_session_factory(engine),
        storage=LocalImageStorage(root=settings.image_dir),
        inference=inference_client_for(settings, transport=inference_transport),
        inflight=InflightChecks(),
        queue=JobQueue(url=settings.queue_url, queue_name=settings.queue_name),
        webhook_http=httpx.AsyncClient(timeout=settings.webhook_timeout_s),
        known=IndexFollower(),
        links=LinkFetcher(limits=link_limits(settings)),
    )


async def _shutdown(ctx: Context) -> None:
    deps = _deps(ctx)
    await deps.inference.http.aclose()
    await deps.webhook_http.aclose()
    await deps.links.aclose()
    await deps.queue.close()
    await deps.engine.dispose()


def create_worker(
    settings: ApiSettings,
    *,
    inference_transport: httpx.AsyncBaseTransport | None = None,
    burst: bool = False,
) -> Worker:
    """An arq worker for the job queue named in settings."""
    return Worker(
        functions=[func(check_item, name=CHECK_ITEM), func(deliver_webhook, name=DELIVER_WEBHOOK)],
        cron_jobs=[cron(requeue_stale, minute=None, second=0, run_at_startup=True)],
        redis_settings=redis_settings(settings.queue_url),
        queue_name=settings.queue_name,
        ctx={"deps": build_deps(settings, inference_transport=inference_transport)},
        on_shutdown=_shutdown,
        max_jobs=settings.worker_concurrency,
        job_timeout=settings.job_item_timeout_s,
        max_tries=max(settings.job_item_max_tries, settings.webhook_max_tries),
        keep_result=3600,
        burst=burst,
        handle_signals=not burst,
    )


def healthy(settings: ApiSettings) -> bool:
    """Whether a worker of this queue reported in recently (for container health checks)."""
    status = asyncio.run(
        async_check_health(redis_settings(settings.queue_url), queue_name=settings.queue_name)
    )
    return status == 0


def run(settings: ApiSettings) -> None:
    """Run a worker until it is stopped (SIGINT or SIGTERM finish running tasks first)."""
    configure_logging(service="worker", level=settings.log_level)
    create_worker(settings).run()
