"""Bulk-job queues of a test's own on the local Redis, so tests never see each other's jobs."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis.asyncio import Redis

from services.api.config import ApiSettings


def queue_name() -> str:
    """A fresh queue name under the tests' prefix."""
    return f"deepcatcher:test:{uuid.uuid4().hex}"


@asynccontextmanager
async def own_queue(settings: ApiSettings) -> AsyncIterator[ApiSettings]:
    """The settings with a queue of their own (and loopback callbacks allowed), then removed."""
    queued = settings.model_copy(
        update={"queue_name": queue_name(), "webhook_allow_private_hosts": True}
    )
    try:
        yield queued
    finally:
        await forget_queue(queued)


async def forget_queue(settings: ApiSettings) -> None:
    """Delete the settings' queue from Redis."""
    redis = Redis.from_url(settings.queue_url)
    await redis.delete(settings.queue_name)
    await redis.aclose()
