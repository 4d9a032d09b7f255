"""Every error is problem+json; every response carries a request id."""

from __future__ import annotations

import json
import logging

import httpx
import pytest

from tests.conftest import ApiFactory
from tests.support.api import assert_problem


async def test_unknown_route_is_a_problem(client: httpx.AsyncClient) -> None:
    body = assert_problem(await client.get("/v1/nothing-here"), 404)
    assert body["instance"] == "/v1/nothing-here"


async def test_wrong_method_is_a_problem(client: httpx.AsyncClient) -> None:
    assert_problem(await client.put("/v1/users/me"), 405)


async def test_validation_errors_are_problems_with_locations(client: httpx.AsyncClient) -> None:
    body = assert_problem(await client.post("/v1/auth/register", json={"email": 3}), 422)
    locations = {tuple(error["loc"]) for error in body["errors"]}
    assert ("body", "password") in locations


async def test_malformed_json_is_a_problem(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/auth/register", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert_problem(response, 422)


async def test_request_id_is_generated_or_kept(client: httpx.AsyncClient) -> None:
    generated = await client.get("/healthz")
    assert len(generated.headers["X-Request-ID"]) == 32
    kept = await client.get("/healthz", headers={"X-Request-ID": "trace-abc-123"})
    assert kept.headers["X-Request-ID"] == "trace-abc-123"
    injected = await client.get("/healthz", headers={"X-Request-ID": "bad\nid"})
    assert injected.headers["X-Request-ID"] != "bad\nid"


async def test_one_json_log_line_per_request(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="deepcatcher.access")
    response = await client.get("/v1/users/me", headers={"X-Request-ID": "log-test-1"})
    records = [r for r in caplog.records if r.name == "deepcatcher.access"]
    assert len(records) == 1
    record = records[0]
    assert (record.path, record.status) == ("/v1/users/me", response.status_code)  # type: ignore[attr-defined]
    formatted = logging.getLogger().handlers[0].format(record)
    line = json.loads(formatted)
    assert line["request_id"] == "log-test-1"
    assert line["service"] == "api"


async def test_oversized_body_is_refused_before_it_is_read(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/v1/auth/register",
        content=b"x",
        headers={"Content-Length": str(10**12), "Content-Type": "application/json"},
    )
    assert_problem(response, 413)


async def test_database_down_is_a_503_without_sql(make_api: ApiFactory) -> None:
    from tests.support.processes import closed_port_url

    down = closed_port_url().replace("http://", "postgresql+asyncpg://postgres@") + "/nowhere"
    async with make_api(database_url=down) as client:
        response = await client.post(
            "/v1/auth/register", json={"email": "a@example.org", "password": "long enough pw"}
        )
    body = assert_problem(response, 503)
    assert response.headers["Retry-After"]
    assert "select" not in response.text.lower() and "insert" not in response.text.lower()
    assert body["type"] == "urn:deepcatcher:problem:database-unavailable"
