"""Bulk jobs on the real queue (Redis) with in-process workers and the real inference service."""

from __future__ import annotations

import asyncio
import io
import json
import uuid
import zipfile
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from services.api.config import ApiSettings
from services.api.jobs import processing, webhooks
from services.api.jobs.worker import build_deps, create_worker
from tests.conftest import ApiFactory
from tests.support import images
from tests.support.api import JPEG, assert_problem, count_rows, promote_to_admin, sign_up
from tests.support.processes import closed_port_url
from tests.support.queues import own_queue
from tests.support.receivers import webhook_receiver
from tests.support.transports import RecordingTransport


@pytest.fixture
async def queued(api_settings: ApiSettings) -> AsyncIterator[ApiSettings]:
    """Settings with a queue of this test's own on the local Redis, removed afterwards."""
    async with own_queue(api_settings) as settings:
        yield settings


async def run_workers(settings: ApiSettings, transport: httpx.AsyncBaseTransport) -> None:
    """Work the queue until it is empty, as a `deepcatcher worker` would."""
    worker = create_worker(settings, inference_transport=transport, burst=True)
    try:
        await worker.async_run()
    finally:
        await worker.close()


def zipped(*members: tuple[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members:
            archive.writestr(name, data)
        archive.writestr("__MACOSX/._a.jpg", b"resource fork")
    return buffer.getvalue()


async def start_job(
    client: httpx.AsyncClient, headers: dict[str, str], *files: tuple[str, bytes, str], **form: str
) -> dict[str, Any]:
    response = await client.post(
        "/v1/jobs", files=[("files", f) for f in files], data=form, headers=headers
    )
    assert response.status_code == 202, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_job_checks_every_image_once_into_history(
    make_api: ApiFactory,
    queued: ApiSettings,
    inference_transport: RecordingTransport,
    db_engine: AsyncEngine,
) -> None:
    archive = zipped(("inside/one.jpg", images.jpeg(seed=31)), ("two.png", images.png(seed=32)))
    async with make_api(queue_name=queued.queue_name) as client:
        headers = await sign_up(client, "ada@example.org")
        job = await start_job(
            client,
            headers,
            ("a.jpg", images.jpeg(seed=33), JPEG),
            ("notes.txt", b"not an image at all", "text/plain"),
            ("batch.zip", archive, "application/zip"),
        )
        assert (job["status"], job["total"], job["pending"], job["failed"]) == ("queued", 4, 3, 1)
        assert [item["filename"] for item in job["items"]] == [
            "a.jpg",
            "notes.txt",
            "one.jpg",
            "two.png",
        ]
        assert job["items"][1]["error"]["status"] == 415
        await run_workers(queued, inference_transport)
        done = (await client.get(f"/v1/jobs/{job['id']}", headers=headers)).json()
        history = (await client.get("/v1/predictions", headers=headers)).json()["items"]
    assert (done["status"], done["done"], done["failed"], done["pending"]) == ("completed", 3, 1, 0)
    assert done["finished_at"] is not None
    assert {item["verdict"] for item in done["items"] if item["status"] == "done"} <= {
        "real",
        "fake",
        "uncertain",
    }
    assert sorted(p["id"] for p in history) == sorted(
        item["prediction_id"] for item in done["items"] if item["prediction_id"]
    )
    assert await count_rows(db_engine, "predictions") == 3


async def test_a_redelivered_or_raced_item_is_saved_once(
    make_api: ApiFactory,
    queued: ApiSettings,
    inference_transport: RecordingTransport,
    db_engine: AsyncEngine,
) -> None:
    async with make_api(queue_name=queued.queue_name) as client:
        headers = await sign_up(client, "bob@example.org")
        job = await start_job(client, headers, ("a.jpg", images.jpeg(seed=41), JPEG))
    deps = build_deps(queued, inference_transport=inference_transport)
    item_id = await _only_item_id(db_engine, job["id"])
    outcomes = await asyncio.gather(
        *(processing.check_item(deps=deps, item_id=item_id, last_try=False) for _ in range(3))
    )
    again = await processing.check_item(deps=deps, item_id=item_id, last_try=False)
    await deps.engine.dispose()
    assert sorted(outcomes).count("done") == 1
    assert again == "skipped"
    assert await count_rows(db_engine, "predictions") == 1


async def _only_item_id(engine: AsyncEngine, job_id: str) -> uuid.UUID:
    from sqlalchemy import text

    async with engine.connect() as connection:
        row = (await connection.execute(text("SELECT id FROM job_items"))).scalar_one()
    return row if isinstance(row, uuid.UUID) else uuid.UUID(str(row))


async def test_signed_webhook_is_retried_until_delivered(
    make_api: ApiFactory, queued: ApiSettings, inference_transport: RecordingTransport
) -> None:
    async with (
        webhook_receiver(failures=1) as receiver,
        make_api(queue_name=queued.queue_name, webhook_allow_private_hosts=True) as client,
    ):
        headers = await sign_up(client, "cat@example.org")
        job = await start_job(
            client, headers, ("a.jpg", images.jpeg(seed=51), JPEG), callback_url=receiver.url
        )
        secret = job["callback_secret"]
        assert len(secret) == 64
        await run_workers(queued, inference_transport)
        state = (await client.get(f"/v1/jobs/{job['id']}", headers=headers)).json()
    assert len(receiver.requests) == 2
    delivered = receiver.requests[-1]
    timestamp = int(delivered.headers["x-deepcatcher-timestamp"])
    assert webhooks.verify(
        secret=secret,
        timestamp=timestamp,
        body=delivered.body,
        signature=delivered.headers["x-deepcatcher-signature"],
    )
    assert not webhooks.verify(
        secret=secret,
        timestamp=timestamp,
        body=delivered.body + b" ",
        signature=delivered.headers["x-deepcatcher-signature"],
    )
    payload = json.loads(delivered.body)
    assert (payload["event"], payload["job"]["id"], payload["job"]["done"]) == (
        "job.completed",
        job["id"],
        1,
    )
    assert state["webhook"]["attempts"] == 2
    assert state["webhook"]["delivered_at"] is not None
    assert "callback_secret" not in state


async def test_queue_down_is_a_503_and_writes_nothing(
    make_api: ApiFactory, db_engine: AsyncEngine
) -> None:
    down = closed_port_url().replace("http://", "redis://")
    async with make_api(queue_url=down) as client:
        headers = await sign_up(client, "dan@example.org")
        response = await client.post(
            "/v1/jobs", files=[("files", ("a.jpg", images.jpeg(seed=61), JPEG))], headers=headers
        )
    assert_problem(response, 503)
    assert response.headers["Retry-After"]
    assert await count_rows(db_engine, "jobs") == 0
    assert await count_rows(db_engine, "images") == 0


async def test_callbacks_to_private_addresses_are_refused(
    make_api: ApiFactory, queued: ApiSettings
) -> None:
    async with make_api(queue_name=queued.queue_name) as client:
        headers = await sign_up(client, "eve@example.org")
        for url in ("http://127.0.0.1:9/hook", "http://10.0.0.1/hook", "ftp://example.org/x"):
            response = await client.post(
                "/v1/jobs",
                files=[("files", ("a.jpg", images.jpeg(seed=71), JPEG))],
                data={"callback_url": url},
                headers=headers,
            )
            assert_problem(response, 422)


async def test_jobs_are_private_and_deleting_keeps_history(
    make_api: ApiFactory, queued: ApiSettings, inference_transport: RecordingTransport
) -> None:
    async with make_api(queue_name=queued.queue_name) as client:
        owner = await sign_up(client, "fay@example.org")
        other = await sign_up(client, "gus@example.org")
        job = await start_job(client, owner, ("a.jpg", images.jpeg(seed=81), JPEG))
        await run_workers(queued, inference_transport)
        assert_problem(await client.get(f"/v1/jobs/{job['id']}", headers=other), 404)
        assert_problem(await client.delete(f"/v1/jobs/{job['id']}", headers=other), 404)
        assert (await client.get("/v1/jobs", headers=other)).json()["items"] == []
        listed = (await client.get("/v1/jobs", headers=owner)).json()["items"]
        assert [j["id"] for j in listed] == [job["id"]]
        assert (await client.delete(f"/v1/jobs/{job['id']}", headers=owner)).status_code == 204
        assert_problem(await client.get(f"/v1/jobs/{job['id']}", headers=owner), 404)
        history = (await client.get("/v1/predictions", headers=owner)).json()["items"]
        assert len(history) == 1
        image = await client.get(history[0]["image_url"], headers=owner)
        assert image.content == images.jpeg(seed=81)


async def test_a_job_item_copying_a_known_ai_image_is_decided_by_it(
    make_api: ApiFactory,
    queued: ApiSettings,
    inference_transport: RecordingTransport,
    db_engine: AsyncEngine,
) -> None:
    known = images.encode(images.scene(seed=34), format="PNG")
    copy = images.encode(images.halved(images.scene(seed=34)), format="JPEG", quality=80)
    manifest = b"file,label,note\nknown.png,ai,Debunked in a newsroom\n"
    bundle = io.BytesIO()
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.writestr("manifest.csv", manifest)
        archive.writestr("known.png", known)
    async with make_api(queue_name=queued.queue_name) as client:
        admin = await sign_up(client, "root@example.org")
        await promote_to_admin(db_engine, "root@example.org")
        imported = await client.post(
            "/v1/admin/known-images/import",
            files={"archive": ("k.zip", bundle.getvalue(), "application/zip")},
            headers=admin,
        )
        assert imported.status_code == 201, imported.text
        headers = await sign_up(client, "ada@example.org")
        job = await start_job(client, headers, ("copy.jpg", copy, JPEG))
        await run_workers(queued, inference_transport)
        done = (await client.get(f"/v1/jobs/{job['id']}", headers=headers)).json()
        prediction_id = done["items"][0]["prediction_id"]
        saved = (await client.get(f"/v1/predictions/{prediction_id}", headers=headers)).json()
    assert (saved["verdict"], saved["decided_by"]) == ("fake", "known_image")
    matches = next(s for s in saved["signals"] if s["name"] == "matches")
    assert matches["evidence"]["known"][0]["note"] == "Debunked in a newsroom"
