"""Bad uploads get a clear 4xx and change nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import numpy as np
import pytest
from PIL import Image
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


@pytest.mark.parametrize("kind", ["ztxt", "itxt-after-pixels", "iccp", "many-ztxt"])
async def test_png_metadata_too_large_to_read_is_named_and_changes_nothing(
    client: httpx.AsyncClient, db_engine: AsyncEngine, api_settings: ApiSettings, kind: str
) -> None:
    headers = await sign_up(client, "ada@example.org")
    upload = ("meta.png", images.png_with_metadata_bomb(kind), "image/png")
    error = assert_problem(await predict(client, upload, headers=headers), 422)["items"][0]["error"]
    assert error["type"] == "urn:deepcatcher:problem:metadata-too-large"
    assert "MiB" in error["detail"] and "not accepted" in error["detail"]
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


def _scanned_pages() -> bytes:
    first, second = images.photo_like(seed=5), images.photo_like(seed=6)
    return images.encode(first, format="TIFF", save_all=True, append_images=[second])


def _bilevel_scan() -> bytes:
    scan = Image.new("1", (200, 160), 1)
    scan.paste(0, (40, 40, 120, 100))
    return images.encode(scan, format="TIFF", compression="group4")


def _sixteen_bit_grey() -> bytes:
    ramp = np.linspace(0, 65_535, 192 * 160).reshape(160, 192).astype(np.uint16)
    return images.encode(Image.fromarray(ramp), format="PNG")


def _transparent_palette() -> bytes:
    logo = images.photo_like(seed=7).quantize(colors=16)
    return images.encode(logo, format="PNG", transparency=0)


def _half_transparent() -> bytes:
    cutout = images.photo_like(seed=8).convert("RGBA")
    cutout.putalpha(128)
    return images.encode(cutout, format="PNG")


FORMATS_PEOPLE_SEND = [
    pytest.param("scan.tif", _scanned_pages(), "image/tiff", "image/tiff", id="multi-page-tiff"),
    pytest.param("print.tif", _bilevel_scan(), "image/tiff", "image/tiff", id="group4-tiff"),
    pytest.param(
        "press.jpg", images.encode(images.photo_like(seed=9).convert("CMYK")), JPEG, JPEG, id="cmyk"
    ),
    pytest.param("depth.png", _sixteen_bit_grey(), "image/png", "image/png", id="16-bit-grey"),
    pytest.param(
        "grey.jpg", images.encode(images.photo_like(seed=10).convert("L")), JPEG, JPEG, id="grey"
    ),
    pytest.param("logo.png", _transparent_palette(), "image/png", "image/png", id="palette"),
    pytest.param("cutout.png", _half_transparent(), "image/png", "image/png", id="alpha"),
]


@pytest.mark.parametrize(("name", "data", "content_type", "mime_type"), FORMATS_PEOPLE_SEND)
async def test_formats_people_send_are_checked(
    client: httpx.AsyncClient, name: str, data: bytes, content_type: str, mime_type: str
) -> None:
    headers = await sign_up(client, "ada@example.org")
    response = await predict(client, (name, data, content_type), headers=headers)
    assert response.status_code == 201, response.text
    prediction = response.json()["items"][0]["prediction"]
    assert prediction["image"]["mime_type"] == mime_type
    assert 0.0 <= prediction["score"] <= 1.0
    image = await client.get(f"/v1/predictions/{prediction['id']}/image", headers=headers)
    assert image.headers["content-type"] == mime_type and image.content == data


async def test_unsupported_format_answer_names_the_accepted_ones(
    client: httpx.AsyncClient,
) -> None:
    body = assert_problem(await predict(client, ("anim.gif", _gif(), "image/gif")), 415)
    for name in ("JPEG", "PNG", "WebP", "AVIF", "HEIC", "TIFF"):
        assert name in body["detail"], body


async def test_colour_mode_without_rgb_conversion_is_refused(client: httpx.AsyncClient) -> None:
    lab = images.encode(Image.new("LAB", (64, 64)), format="TIFF")
    body = assert_problem(await predict(client, ("lab.tif", lab, "image/tiff")), 415)
    assert "LAB" in body["detail"]
