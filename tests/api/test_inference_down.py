"""When inference is down, slow or failed its self-check: 503, nothing half-written, retry works."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from services.inference.config import InferenceSettings
from services.inference.main import create_app as create_inference_app
from tests.conftest import ApiFactory
from tests.inference.support import wait_until_started
from tests.support import images
from tests.support.api import JPEG, assert_problem, count_rows, predict, sign_up
from tests.support.apps import INFERENCE_AUTH, INFERENCE_TOKEN, lifespan_of
from tests.support.fusion_cards import SELF_CHECK_FAILED, altered_card
from tests.support.models import write_tiny_model
from tests.support.processes import closed_port_url
from tests.support.transports import RecordingTransport


@pytest.fixture
async def silent_server() -> AsyncIterator[str]:
    """A TCP server that accepts connections and never answers: a hung inference service."""

    writers: list[asyncio.StreamWriter] = []

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writers.append(writer)
        await reader.read()  # until the client gives up and closes

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    for writer in writers:
        writer.close()
    server.close()
    await server.wait_closed()


async def test_inference_down_then_back_with_the_same_idempotency_key(
    make_api: ApiFactory, db_engine: AsyncEngine, inference_transport: RecordingTransport
) -> None:
    upload = ("a.jpg", images.jpeg(seed=1), JPEG)
    down = httpx.AsyncHTTPTransport(retries=1)
    async with make_api(transport=down, inference_url=closed_port_url()) as client:
        headers = await sign_up(client, "ada@example.org") | {"Idempotency-Key": "k-1"}
        failed = await predict(client, upload, headers=headers)
        body = assert_problem(failed, 503)
        assert int(failed.headers["Retry-After"]) > 0
        assert "inference" in body["detail"].lower()
        ready = await client.get("/readyz")
        assert_problem(ready, 503)
    assert await count_rows(db_engine, "predictions") == 0
    assert await count_rows(db_engine, "idempotency_keys") == 0
    async with make_api(transport=inference_transport) as client:
        retried = await predict(client, upload, headers=headers)
        assert retried.status_code == 201
        assert "Idempotent-Replayed" not in retried.headers
        assert (await client.get("/readyz")).json()["checks"] == {
            "database": True,
            "inference": True,
        }
    assert await count_rows(db_engine, "predictions") == 1


async def test_inference_timing_out_is_a_503(
    make_api: ApiFactory, db_engine: AsyncEngine, silent_server: str
) -> None:
    async with make_api(
        transport=httpx.AsyncHTTPTransport(), inference_url=silent_server, inference_timeout_s=0.5
    ) as client:
        headers = await sign_up(client, "bob@example.org")
        response = await predict(client, ("a.jpg", images.jpeg(seed=2), JPEG), headers=headers)
        assert_problem(response, 503)
        assert response.headers["Retry-After"]
    assert await count_rows(db_engine, "predictions") == 0


async def test_inference_whose_self_check_failed_is_a_503_naming_it(
    make_api: ApiFactory, db_engine: AsyncEngine, tmp_path: Path
) -> None:
    settings = InferenceSettings(
        environment="test",
        service_token=INFERENCE_TOKEN,
        model_path=write_tiny_model(folder=tmp_path),
        fusion_card_path=altered_card(tmp_path, view="semantic"),
    )
    inference = create_inference_app(settings)
    async with lifespan_of(inference):
        transport = httpx.ASGITransport(app=inference)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://inference.test", headers=INFERENCE_AUTH
        ) as direct:
            await wait_until_started(direct)
        async with make_api(transport=transport) as client:
            response = await predict(client, ("a.jpg", images.jpeg(seed=3), JPEG))

    body = assert_problem(response, 503)
    assert body["type"] == SELF_CHECK_FAILED
    assert "self-check failed" in body["detail"] and "the semantic view" in body["detail"]
    assert "avx2" in body["detail"]
    assert await count_rows(db_engine, "predictions") == 0
