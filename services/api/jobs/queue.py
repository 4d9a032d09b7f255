"""The job queue: arq on Redis. The API enqueues; `deepcatcher worker` processes consume."""

from __future__ import annotations

import uuid

from arq import ArqRedis, create_pool
from arq.connections import RedisSettings
from redis.exceptions import RedisError

from services.common.problems import ServiceUnavailable

CHECK_ITEM = "check_item"
DELIVER_WEBHOOK = "deliver_webhook"


class QueueUnavailable(ServiceUnavailable):
    slug = "queue-unavailable"


def redis_settings(url: str) -> RedisSettings:
    """Connection settings that fail fast instead of retrying for seconds."""
    settings = RedisSettings.from_dsn(url)
    settings.conn_retries = 0
    settings.conn_timeout = 2
    return settings


class JobQueue:
    """Puts job items and webhook deliveries on the queue; connects on first use."""

    def __init__(self, *, url: str, queue_name: str) -> None:
        self.url = url
        self.queue_name = queue_name
        self._pool: ArqRedis | None = None

    async def _connected(self) -> ArqRedis:
        if self._pool is None:
            try:
                self._pool = await create_pool(
                    redis_settings(self.url), default_queue_name=self.queue_name
                )
            except (OSError, RedisError) as exc:
                raise self._unavailable() from exc
        return self._pool

    async def ensure_available(self) -> None:
        """Raise 503 unless the queue answers now."""
        pool = await self._connected()
        try:
            await pool.ping()
        except (OSError, RedisError) as exc:
            raise self._unavailable() from exc

    async def enqueue_item(self, *, item_id: uuid.UUID, again: bool = False) -> None:
        """Queue one item; queueing it twice is harmless (same job id, and workers skip it)."""
        pool = await self._connected()
        # A re-queued item needs a new job id: arq keeps the old one's result and refuses it.
        job_id = f"item:{item_id}:{uuid.uuid4().hex}" if again else f"item:{item_id}"
        await pool.enqueue_job(CHECK_ITEM, str(item_id), _job_id=job_id)

    async def enqueue_webhook(self, *, job_id: uuid.UUID) -> None:
        """Queue the completion callback of a job, once."""
        pool = await self._connected()
        await pool.enqueue_job(DELIVER_WEBHOOK, str(job_id), _job_id=f"webhook:{job_id}")

    async def close(self) -> None:
        """Close the connection."""
        if self._pool is not None:
            await self._pool.aclose()

    @staticmethod
    def _unavailable() -> QueueUnavailable:
        return QueueUnavailable(
            "The job queue is unavailable; no job was created. Try again shortly.",
            headers={"Retry-After": "10"},
        )
