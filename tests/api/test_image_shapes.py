"""Thin or tiny pictures are refused by the API itself, quickly, before inference sees them."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from services.api.config import ApiSettings
from tests.api.test_jobs import run_workers, start_job
from tests.conftest import ApiFactory
from tests.support import archives, images
from tests.support.api import JPEG, PNG, assert_problem, count_rows, predict, sign_up
from tests.support.queues import own_queue
from tests.support.transports import RecordingTransport

THIN_SHAPES = [(30000, 1), (1, 30000), (24000, 2)]


@pytest.fixture
async def queued(api_settings: ApiSettings) -> AsyncIterator[ApiSettings]:
    """Settings with a queue of this test's own on the local Redis, removed afterwards."""
    async with own_queue(api_settings) as settings:
        yield settings


@pytest.mark.parametrize("shape", [*THIN_SHAPES, (1, 1)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_anonymous_thin_images_get_a_quick_422_naming_the_limit(
    client: httpx.AsyncClient, inference_transport: RecordingTransport, shape: tuple[int, int]
) -> None:
    width, height = shape
    data = images.noise_png(width=width, height=height)
    started = time.monotonic()

    body = assert_problem(await predict(client, ("thin.png", data, PNG)), 422)

    assert time.monotonic() - started < 10
    error = body["items"][0]["error"]
    assert error["type"] == "urn:deepcatcher:problem:unsupported-image-shape"
    assert f"{width}x{height}" in error["detail"]
    assert "at least 16 px" in error["detail"] and "at most 20 times" in error["detail"]
    assert inference_transport.count("/v1/predict") == 0


async def test_a_signed_in_thin_image_stores_nothing_and_the_others_are_checked(
    client: httpx.AsyncClient, db_engine: AsyncEngine
) -> None:
    headers = await sign_up(client, "ada@example.org")
    thin = ("thin.png", images.noise_png(width=24000, height=2), PNG)

    response = await predict(
        client, thin, ("banner.png", images.png(width=728, height=90), PNG), headers=headers
    )

    assert response.status_code == 201, response.text
    thin_item, banner_item = response.json()["items"]
    assert thin_item["error"]["status"] == 422 and "24000x2" in thin_item["error"]["detail"]
    assert banner_item["status"] == "ok"
    assert await count_rows(db_engine, "predictions") == 1


async def test_every_service_still_answers_after_thin_images(client: httpx.AsyncClient) -> None:
    for width, height in THIN_SHAPES:
        data = images.noise_png(width=width, height=height)
        assert_problem(await predict(client, ("thin.png", data, PNG)), 422)

    assert (await client.get("/healthz")).status_code == 200
    assert (await client.get("/readyz")).status_code == 200
    photo = await predict(client, ("photo.jpg", images.jpeg(seed=4), JPEG))
    assert photo.status_code == 200, photo.text


async def test_a_thin_image_in_a_bulk_job_is_an_item_of_its_own(
    make_api: ApiFactory,
    queued: ApiSettings,
    inference_transport: RecordingTransport,
) -> None:
    archive = archives.zipped(
        ("thin.png", images.noise_png(width=30000, height=1)), ("photo.jpg", images.jpeg(seed=5))
    )
    async with make_api(queue_name=queued.queue_name) as client:
        headers = await sign_up(client, "hal@example.org")
        job = await start_job(client, headers, ("batch.zip", archive, "application/zip"))
        await run_workers(queued, inference_transport)
        done = (await client.get(f"/v1/jobs/{job['id']}", headers=headers)).json()

    items = {item["filename"]: item for item in done["items"]}
    assert items["thin.png"]["error"]["status"] == 422
    assert "30000x1" in items["thin.png"]["error"]["detail"]
    assert items["photo.jpg"]["status"] == "done"
    assert inference_transport.count("/v1/predict") == 1
