"""Dynamic batching: concurrent requests' crops merged into one model call off the event loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np

from services.common.problems import ServiceUnavailable
from services.inference.detectors.base import Admission
from services.inference.metrics import InferenceMetrics

logger = logging.getLogger("deepcatcher.inference.batcher")
BatchFunction = Callable[[np.ndarray], np.ndarray]


T = TypeVar("T")


class QueueFull(ServiceUnavailable):
    slug = "queue-full"


class ModelTimeout(ServiceUnavailable):
    slug = "model-timeout"


class ModelFailed(ServiceUnavailable):
    slug = "model-failed"


@dataclass(slots=True)
class _Job:
    crops: np.ndarray
    future: asyncio.Future[np.ndarray]
    enqueued: float = field(default_factory=time.perf_counter)


class DynamicBatcher:
    """Admits at most `capacity` images, and runs waiting crops as one batch on one model thread.

    A batch closes when it holds `max_batch_size` images, when `max_wait_s` has passed since its
    first image, or as soon as no admitted image is still being preprocessed: an idle service
    never makes a lone request wait for company that is not coming.
    """

    def __init__(
        self,
        *,
        run: BatchFunction,
        max_batch_size: int,
        max_wait_s: float,
        capacity: int,
        timeout_s: float,
        retry_after_s: int,
        metrics: InferenceMetrics,
    ) -> None:
        self._run = run
        self._max_batch_size = max_batch_size
        self._max_wait_s = max_wait_s
        self._capacity = capacity
        self._timeout_s = timeout_s
        self._retry_after = {"Retry-After": str(retry_after_s)}
        self._metrics = metrics
        self._admitted = 0
        self._preprocessing = 0
        self._queue: asyncio.Queue[_Job] = asyncio.Queue(maxsize=capacity)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="model")
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start the loop that forms and runs batches."""
        self._task = asyncio.get_running_loop().create_task(self._loop(), name="batcher")

    async def stop(self) -> None:
        """Stop batching, fail whatever still waits, and release the model thread."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        while not self._queue.empty():
            job = self._queue.get_nowait()
            if not job.future.done():
                job.future.set_exception(ModelFailed("The service is shutting down."))
        self._executor.shutdown(wait=True)

    @contextlib.asynccontextmanager
    async def admit(self) -> AsyncIterator[Admission]:
        """Hold one of `capacity` slots from upload to answer; 503 when none is free."""
        if self._admitted >= self._capacity:
            self._metrics.rejected.inc()
            raise QueueFull(
                "Too many images are waiting; retry shortly.", headers=self._retry_after
            )
        admission = Admission()
        self._admitted += 1
        self._preprocessing += 1
        self._metrics.in_flight.set(self._admitted)
        try:
            yield admission
        finally:
            self._admitted -= 1
            self._preprocessing -= not admission.queued
            self._metrics.in_flight.set(self._admitted)

    async def on_model_thread(self, function: Callable[[], T]) -> T:
        """Run `function` on the model's own thread, between batches (warm-up, other views)."""
        return await asyncio.get_running_loop().run_in_executor(self._executor, function)

    async def logits(self, crops: np.ndarray, *, admission: Admission | None = None) -> np.ndarray:
        """The model's logits for one image's crops, computed together with other waiting images."""
        job = _Job(crops=crops, future=asyncio.get_running_loop().create_future())
        try:
            self._queue.put_nowait(job)
        except asyncio.QueueFull:
            raise QueueFull("The model queue is full.", headers=self._retry_after) from None
        if admission is not None and not admission.queued:
            admission.queued = True
            self._preprocessing -= 1
        self._metrics.queue_depth.set(self._queue.qsize())
        try:
            return await asyncio.wait_for(job.future, self._timeout_s)
        except TimeoutError:
            raise ModelTimeout(
                f"The model did not answer within {self._timeout_s:g} s.", headers=self._retry_after
            ) from None

    async def _loop(self) -> None:
        while True:
            jobs = await self._collect()
            if jobs:
                await self._run_batch(jobs)

    async def _collect(self) -> list[_Job]:
        jobs = [await self._queue.get()]
        deadline = time.perf_counter() + self._max_wait_s
        while len(jobs) < self._max_batch_size:
            if not self._queue.empty():
                jobs.append(self._queue.get_nowait())
                continue
            remaining = deadline - time.perf_counter()
            if remaining <= 0 or self._preprocessing <= 0:
                break
            try:
                async with asyncio.timeout(remaining):
                    jobs.append(await self._queue.get())
            except TimeoutError:
                break
        self._metrics.queue_depth.set(self._queue.qsize())
        # A request that timed out or was cancelled no longer wants its answer.
        return [job for job in jobs if not job.future.done()]

    async def _run_batch(self, jobs: list[_Job]) -> None:
        started = time.perf_counter()
        crops = np.concatenate([job.crops for job in jobs])
        loop = asyncio.get_running_loop()
        try:
            logits = await loop.run_in_executor(self._executor, self._run, crops)
        except Exception as exc:  # a failing batch fails only its own requests
            logger.exception("model call failed", extra={"images": len(jobs)})
            error = ModelFailed("The model failed on this batch.", headers=self._retry_after)
            error.__cause__ = exc
            _settle(jobs, error=error)
            return
        self._observe(jobs=jobs, crops=len(crops), started=started)
        bounds = np.cumsum([len(job.crops) for job in jobs])[:-1]
        _settle(jobs, results=np.split(logits, bounds))

    def _observe(self, *, jobs: list[_Job], crops: int, started: float) -> None:
        self._metrics.batch_size.observe(len(jobs))
        self._metrics.batch_crops.observe(crops)
        self._metrics.model_seconds.observe(time.perf_counter() - started)
        for job in jobs:
            self._metrics.stage_seconds.labels("queue").observe(started - job.enqueued)


def _settle(
    jobs: list[_Job], *, results: list[np.ndarray] | None = None, error: Exception | None = None
) -> None:
    for index, job in enumerate(jobs):
        if job.future.done():
            continue
        if error is not None:
            job.future.set_exception(error)
        elif results is not None:
            job.future.set_result(results[index])
