"""Bad uploads get a clear 4xx and change nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from services.api.config import ApiSettings
from tests.conftest import ApiFactory
from tests.support import images
from tests.support.api import (
    JPEG,
    assert_problem,
    count_rows,
    predict,
    raw_multipart,
    sign_up,
)


def _corrupt_png() -> bytes:
    data = bytearray(images.png(seed=1))
    middle = len(data) // 2
    data[middle : middle + 32] = bytes(32)
    return bytes(data)


def _gif() -> bytes:
    return images.encode(images.photo_like(seed=1), format="GIF")


BAD_UPLOADS = [
    pytest.param("empty.jpg", b"", JPEG, 422, id="empty"),
    pytest.param(
        "photo.jpg", b"MZ\x90\x00 definitely not a picture" * 10, JPEG, 415, id="not-image"
    ),
    pytest.param("vector.svg", images.SVG, "image/svg+xml", 415, id="svg"),
    pytest.param("doc.pdf", images.PDF, "application/pdf", 415, id="pdf"),
    pytest.param("anim.gif", _gif(), "image/gif", 415, id="gif-unsupported"),
    pytest.param("cut.jpg", images.truncated_jpeg(seed=1), JPEG, 422, id="truncated"),
    pytest.param("broken.png", _corrupt_png(), "image/png", 422, id="corrupt"),
    pytest.param("bomb.png", images.png_bomb(), "image/png", 413, id="decompression-bomb"),
    pytest.param("../../etc/passwd.jpg", images.jpeg(seed=2), JPEG, 422, id="path-traversal"),
    pytest.param("..\\boot.jpg", images.jpeg(seed=2), JPEG, 422, id="windows-path"),
    pytest.param("evil\u202egpj.exe", images.jpeg(seed=2), JPEG, 422, id="bidi-override"),
    pytest.param("a" * 300 + ".jpg", images.jpeg(seed=2), JPEG, 422, id="long-name"),
]


async def _nothing_changed(engine: AsyncEngine, settings: ApiSettings) -> None:
    assert await count_rows(engine, "predictions") == 0
    assert await count_rows(engine, "images") == 0
    assert not [p for p in Path(settings.image_dir).rglob("*") if p.is_file()]  # noqa: ASYNC240


@pytest.mark.parametrize(("name", "data", "content_type", "status"), BAD_UPLOADS)
async def test_bad_upload_is_refused_and_changes_nothing(
    client: httpx.AsyncClient,
    db_engine: AsyncEngine,
    api_settings: ApiSettings,
    name: str,
    data: bytes,
    content_type: str,
    status: int,
) -> None:
    headers = await sign_up(client, "ada@example.org")
    body = assert_problem(
        await predict(client, (name, data, content_type), headers=headers), status
    )
    assert body["items"][0]["error"]["status"] == status
    await _nothing_changed(db_engine, api_settings)


@pytest.mark.parametrize("filename", [b"bell\x07.jpg", b"tab\there.jpg", b"line\x1bbreak.jpg"])
async def test_raw_control_characters_in_file_names(
    client: httpx.AsyncClient,
    db_engine: AsyncEngine,
    api_settings: ApiSettings,
    filename: bytes,
) -> None:
    headers = await sign_up(client, "eve@example.org")
    response = await client.post(
        "/v1/predictions",
        content=raw_multipart(filename=filename, data=images.jpeg(seed=2)),
        headers=headers | {"Content-Type": "multipart/form-data; boundary=dc-test-boundary"},
    )
    assert_problem(response, 422)
    await _nothing_changed(db_engine, api_settings)


async def test_file_over_the_size_limit(
    make_api: ApiFactory, db_engine: AsyncEngine, api_settings: ApiSettings
) -> None:
    async with make_api(max_upload_bytes=4_000) as client:
        headers = await sign_up(client, "bob@example.org")
        big = images.jpeg(seed=3, width=400, height=300)
        assert len(big) > 4_000
        assert_problem(await predict(client, ("big.jpg", big, JPEG), headers=headers), 413)
    await _nothing_changed(db_engine, api_settings)


async def test_streamed_body_over_the_limit_is_cut_off(make_api: ApiFactory) -> None:
    sent = 0

    async def endless() -> AsyncIterator[bytes]:
        nonlocal sent
        yield b'--b\r\nContent-Disposition: form-data; name="files"; filename="x.jpg"\r\n\r\n'
        for _ in range(1_000):
            sent += 64 * 1024
            yield b"\0" * 64 * 1024

    async with make_api(max_upload_bytes=100_000, max_files_per_request=1) as client:
        response = await client.post(
            "/v1/predictions",
            content=endless(),
            headers={"Content-Type": "multipart/form-data; boundary=b"},
        )
    assert_problem(response, 413)
    assert sent < 1_000 * 64 * 1024


async def test_no_files_field(client: httpx.AsyncClient) -> None:
    assert_problem(await client.post("/v1/predictions", data={"other": "x"}), 422)
