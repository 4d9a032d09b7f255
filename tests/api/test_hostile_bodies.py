"""JSON bodies: capped while they stream in, read only for callers with credentials, no NUL."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import ApiFactory
from tests.support import images
from tests.support.api import (
    JPEG,
    PASSWORD,
    assert_problem,
    count_rows,
    create_prediction,
    predict,
    sign_up,
)

JSON = {"Content-Type": "application/json"}
MiB = 1024 * 1024


class CountedBody:
    """A chunked request body that notes how many of its chunks the server pulled."""

    def __init__(self, *, chunks: int, chunk_bytes: int) -> None:
        self.chunks, self.chunk_bytes, self.pulled = chunks, chunk_bytes, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for index in range(self.chunks):
            self.pulled += 1
            yield b'{"name": "' if index == 0 else b" " * self.chunk_bytes


async def test_an_anonymous_json_is_refused_before_its_body_is_read(
    client: httpx.AsyncClient,
) -> None:
    body = CountedBody(chunks=8, chunk_bytes=4096)  # under the cap: only credentials matter
    response = await client.post("/v1/api-keys", content=body, headers=JSON)
    assert_problem(response, 401)
    assert body.pulled == 0


async def test_a_json_body_over_the_cap_is_refused_while_it_streams(
    client: httpx.AsyncClient,
) -> None:
    headers = await sign_up(client, "ada@example.org")
    streamed = CountedBody(chunks=18, chunk_bytes=MiB)
    refused = await client.post("/v1/api-keys", content=streamed, headers=JSON | headers)
    declared = await client.post(
        "/v1/api-keys", content=b'{"name": "' + b" " * 18 * MiB, headers=JSON | headers
    )
    assert "65536 bytes" in assert_problem(refused, 413)["detail"]
    assert streamed.pulled <= 2
    assert_problem(declared, 413)
    assert (await client.get("/v1/api-keys", headers=headers)).json() == []


async def test_the_cap_is_a_setting_and_spares_multipart_uploads(make_api: ApiFactory) -> None:
    async with make_api(max_json_body_bytes=200) as client:
        headers = await sign_up(client, "bob@example.org")
        too_long = await client.post("/v1/api-keys", json={"name": "x" * 300}, headers=headers)
        form = await client.post(
            "/v1/auth/token", data={"username": "bob@example.org", "password": "p" * 300}
        )
        upload = await predict(client, ("a.jpg", images.jpeg(seed=3), JPEG), headers=headers)
    assert_problem(too_long, 413)
    assert_problem(form, 413)
    assert upload.status_code == 201, upload.text


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/auth/register", {"email": "nul\x00@example.org", "password": PASSWORD}),
        ("/v1/auth/register", {"email": "nul@example.org", "password": PASSWORD + "\x00"}),
        ("/v1/api-keys", {"name": "CMS\x00"}),
        ("/v1/api-keys", {"name": "CMS", "scopes": ["predict\x00"]}),
    ],
)
async def test_a_nul_in_any_text_is_a_clear_422(
    client: httpx.AsyncClient, db_engine: AsyncEngine, path: str, body: dict[str, object]
) -> None:
    headers = await sign_up(client, "carl@example.org")
    response = await client.post(path, json=body, headers=headers)
    error = assert_problem(response, 422)["errors"][0]
    assert error["loc"][0] == "body" and "NUL" in error["msg"]
    assert await count_rows(db_engine, "users") == 1
    assert await count_rows(db_engine, "api_keys") == 0


async def test_a_nul_in_a_report_or_a_sign_in_is_a_clear_422(
    client: httpx.AsyncClient, db_engine: AsyncEngine
) -> None:
    headers = await sign_up(client, "dora@example.org")
    prediction = await create_prediction(client, headers, images.jpeg(seed=4))
    report = await client.post(
        f"/v1/predictions/{prediction['id']}/reports",
        json={"claimed_label": "real", "comment": "mine\x00"},
        headers=headers,
    )
    sign_in = await client.post(
        "/v1/auth/token", data={"username": "dora\x00@example.org", "password": PASSWORD}
    )
    assert assert_problem(report, 422)["errors"][0]["loc"] == ["body", "comment"]
    assert assert_problem(sign_in, 422)["errors"][0]["loc"] == ["body", "username"]
    assert await count_rows(db_engine, "reports") == 0
