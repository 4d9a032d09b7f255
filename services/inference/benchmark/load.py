"""N concurrent clients posting images and timing each answer."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import resource
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import numpy as np

from services.inference.benchmark.server import Server


@dataclass(frozen=True, slots=True)
class LoadResult:
    """One concurrency level against one service configuration."""

    mode: str
    concurrency: int
    requests: int
    errors: int
    images_per_s: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    mean_batch_size: float
    server_cpu_percent: float
    client_cpu_percent: float
    other_cpu_percent: float
    peak_rss_mb: float
    stage_ms: dict[str, float]


def measure_load(
    server: Server, *, mode: str, images: list[bytes], concurrency: int, requests: int
) -> LoadResult:
    """Warm up, then send `requests` images from `concurrency` clients and summarise."""
    asyncio.run(_drive(server.url, images=images, concurrency=concurrency, requests=concurrency))
    before, cpu_before, client_before = server.metrics(), server.cpu_seconds(), _client_cpu()
    machine_before = _machine_busy_seconds()
    started = time.perf_counter()
    latencies, errors = asyncio.run(
        _drive(server.url, images=images, concurrency=concurrency, requests=requests)
    )
    wall = time.perf_counter() - started
    server_cpu, client_cpu = server.cpu_seconds() - cpu_before, _client_cpu() - client_before
    machine_cpu = _machine_busy_seconds() - machine_before
    after = server.metrics()
    batches = _delta(after, before, "deepcatcher_inference_batch_size_count{}")
    return LoadResult(
        mode=mode,
        concurrency=concurrency,
        requests=requests,
        errors=errors,
        images_per_s=round((requests - errors) / wall, 2),
        p50_ms=round(float(np.percentile(latencies, 50)), 1),
        p95_ms=round(float(np.percentile(latencies, 95)), 1),
        p99_ms=round(float(np.percentile(latencies, 99)), 1),
        mean_batch_size=round(
            _delta(after, before, "deepcatcher_inference_batch_size_sum{}") / max(batches, 1), 2
        ),
        server_cpu_percent=round(server_cpu / wall * 100, 1),
        client_cpu_percent=round(client_cpu / wall * 100, 1),
        other_cpu_percent=round(max(machine_cpu - server_cpu - client_cpu, 0) / wall * 100, 1),
        peak_rss_mb=round(server.peak_rss_mb(), 1),
        stage_ms=_stage_means(after, before),
    )


async def _drive(
    url: str, *, images: list[bytes], concurrency: int, requests: int
) -> tuple[list[float], int]:
    counter = itertools.count()
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=300) as client:

        async def worker() -> None:
            nonlocal errors
            while (index := next(counter)) < requests:
                files = {"file": (f"{index}.jpg", images[index % len(images)], "image/jpeg")}
                started = time.perf_counter()
                response = await client.post("/v1/predict", files=files)
                latencies.append((time.perf_counter() - started) * 1000)
                errors += response.status_code != 200

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, errors


@contextlib.contextmanager
def cpu_share() -> Iterator[list[float]]:
    """Measure what other processes used, as % of one core, while the block runs in this one."""
    share: list[float] = []
    started, machine, own = time.perf_counter(), _machine_busy_seconds(), _client_cpu()
    yield share
    other = (_machine_busy_seconds() - machine) - (_client_cpu() - own)
    share.append(round(max(other, 0) / (time.perf_counter() - started) * 100, 1))


def _machine_busy_seconds() -> float:
    """CPU time every process on the machine has used (all of /proc/stat but idle and iowait)."""
    with open("/proc/stat") as stat:
        fields = [int(value) for value in stat.readline().split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def _client_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _delta(after: dict[str, float], before: dict[str, float], key: str) -> float:
    return after.get(key, 0.0) - before.get(key, 0.0)


# The service's timed stages: `views` prepares the semantic view's input on the worker pool,
# `views_model` runs its network on the model thread.
STAGES = (
    "decode",
    "crops",
    "views",
    "provenance",
    "spectrum",
    "queue",
    "model",
    "views_model",
    "total",
)


def _stage_means(after: dict[str, float], before: dict[str, float]) -> dict[str, float]:
    means = {}
    for stage in STAGES:
        count = _delta(after, before, f"deepcatcher_inference_stage_seconds_count{{stage={stage}}}")
        total = _delta(after, before, f"deepcatcher_inference_stage_seconds_sum{{stage={stage}}}")
        means[stage] = round(total / count * 1000, 1) if count else float("nan")
    return means
