"""A worker killed mid-job: the job still completes, and every item lands in history once."""

from __future__ import annotations

import asyncio
import signal
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from services.common.processes import free_port, wait_until_ready
from tests.conftest import ApiFactory
from tests.support import images
from tests.support.api import JPEG, sign_up
from tests.support.models import write_tiny_model
from tests.support.processes import deepcatcher_command, running

ITEMS = 12


async def _statuses(engine: AsyncEngine) -> dict[str, int]:
    async with engine.connect() as connection:
        rows = await connection.execute(
            text("SELECT status, count(*) FROM job_items GROUP BY status")
        )
        return {status: count for status, count in rows}


async def _wait(engine: AsyncEngine, *, done_at_least: int, timeout_s: float) -> dict[str, int]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        statuses = await _statuses(engine)
        if statuses.get("done", 0) >= done_at_least:
            return statuses
        await asyncio.sleep(0.2)
    raise AssertionError(f"only {await _statuses(engine)} after {timeout_s} s")


async def _completed(
    client: httpx.AsyncClient, url: str, *, headers: dict[str, str], timeout_s: float
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while True:
        state: dict[str, Any] = (await client.get(url, headers=headers)).json()
        if state["status"] == "completed" or time.monotonic() > deadline:
            return state
        await asyncio.sleep(0.2)


@pytest.fixture
async def queue_name() -> AsyncIterator[str]:
    name = f"deepcatcher:test:{uuid.uuid4().hex}"
    yield name
    redis = Redis.from_url("redis://127.0.0.1:6379/0")
    await redis.delete(name)
    await redis.aclose()


async def test_killed_worker_loses_no_item_and_doubles_none(
    make_api: ApiFactory,
    db_engine: AsyncEngine,
    database_url: str,
    tmp_path: Path,
    queue_name: str,
) -> None:
    inference_port = free_port()
    image_dir = tmp_path / "images"
    env = {
        "DEEPCATCHER_INFERENCE_PORT": str(inference_port),
        "DEEPCATCHER_INFERENCE_MODEL_PATH": str(write_tiny_model(folder=tmp_path)),
        "DEEPCATCHER_API_DATABASE_URL": database_url,
        "DEEPCATCHER_API_IMAGE_DIR": str(image_dir),
        "DEEPCATCHER_API_INFERENCE_URL": f"http://127.0.0.1:{inference_port}",
        "DEEPCATCHER_API_QUEUE_NAME": queue_name,
        "DEEPCATCHER_API_JOB_ITEM_TIMEOUT_S": "3",
        "DEEPCATCHER_API_WORKER_CONCURRENCY": "2",
    }
    inference = deepcatcher_command("serve", "--only", "inference")
    with running(inference, env=env, log=tmp_path / "inference.log") as server:
        wait_until_ready(f"http://127.0.0.1:{inference_port}/readyz", process=server)
        async with make_api(queue_name=queue_name, image_dir=image_dir) as client:
            headers = await sign_up(client, "ada@example.org")
            files = [("files", (f"{i}.jpg", images.jpeg(seed=100 + i), JPEG)) for i in range(ITEMS)]
            job = await client.post("/v1/jobs", files=files, headers=headers)
            assert job.status_code == 202, job.text
            with running(deepcatcher_command("worker"), env=env, log=tmp_path / "w1.log") as first:
                await _wait(db_engine, done_at_least=2, timeout_s=90)
                first.send_signal(signal.SIGKILL)
                first.wait(timeout=10)
            killed_at = await _statuses(db_engine)
            assert killed_at.get("pending", 0) > 0, "the worker finished before it was killed"
            url = f"/v1/jobs/{job.json()['id']}"
            with running(deepcatcher_command("worker"), env=env, log=tmp_path / "w2.log"):
                await _wait(db_engine, done_at_least=ITEMS, timeout_s=120)
                # The job is marked just after its last item: stop the worker only once it is.
                state = await _completed(client, url, headers=headers, timeout_s=30)
    assert (state["status"], state["done"]) == ("completed", ITEMS)
    prediction_ids = [item["prediction_id"] for item in state["items"]]
    assert len(set(prediction_ids)) == ITEMS
    async with db_engine.connect() as connection:
        saved = (await connection.execute(text("SELECT count(*) FROM predictions"))).scalar_one()
    assert saved == ITEMS
