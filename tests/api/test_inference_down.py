"""When inference is down or slow: 503 with Retry-After, nothing half-written, retry works."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import ApiFactory
from tests.support import images
from tests.support.api import JPEG, assert_problem, count_rows, predict, sign_up
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
