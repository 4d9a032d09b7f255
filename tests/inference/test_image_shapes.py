"""Thin or tiny pictures get a quick 422 naming the limit; banners and panoramas are scored."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.support.images import jpeg, noise_png

PROBLEM = "application/problem+json"
REFUSED_SHAPES = [(30000, 1), (1, 30000), (24000, 2), (1, 1), (4, 4), (15, 200), (2100, 100)]
ACCEPTED_SHAPES = [(728, 90), (90, 728), (4000, 500), (16, 16), (2000, 100)]


def shape_id(shape: tuple[int, int]) -> str:
    return f"{shape[0]}x{shape[1]}"


@pytest.mark.parametrize("shape", REFUSED_SHAPES, ids=shape_id)
@pytest.mark.parametrize("path", ["/v1/predict", "/v1/fingerprints"])
async def test_thin_and_tiny_images_are_refused_naming_the_limit(
    service: httpx.AsyncClient, path: str, shape: tuple[int, int]
) -> None:
    width, height = shape
    started = time.monotonic()
    response = await service.post(
        path, files={"file": ("thin.png", noise_png(width=width, height=height))}
    )

    assert time.monotonic() - started < 10
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["type"] == "urn:deepcatcher:problem:unsupported-image-shape"
    assert f"{width}x{height}" in body["detail"]
    assert "at least 16 px" in body["detail"]
    assert "at most 20 times" in body["detail"]


async def test_a_thin_image_in_a_batch_fails_alone(service: httpx.AsyncClient) -> None:
    files = [
        ("files", ("thin.png", noise_png(width=30000, height=1))),
        ("files", ("a.jpg", jpeg())),
    ]
    response = await service.post("/v1/predict/batch", files=files)

    thin, photo = response.json()["results"]
    assert thin["problem"]["status"] == 422 and "30000x1" in thin["problem"]["detail"]
    assert photo["result"]["verdict"] in {"real", "fake", "uncertain"}


@pytest.mark.parametrize("shape", ACCEPTED_SHAPES, ids=shape_id)
async def test_banners_and_panoramas_are_scored(
    service: httpx.AsyncClient, shape: tuple[int, int]
) -> None:
    width, height = shape
    response = await service.post(
        "/v1/predict", files={"file": ("b.png", noise_png(width=width, height=height))}
    )

    assert response.status_code == 200, response.text
    assert response.json()["image"] == {"width": width, "height": height, "format": "PNG"}


async def test_the_service_still_answers_after_thin_images(service: httpx.AsyncClient) -> None:
    for width, height in [(30000, 1), (1, 30000), (24000, 2)]:
        await service.post(
            "/v1/predict", files={"file": ("t.png", noise_png(width=width, height=height))}
        )

    assert (await service.get("/healthz")).status_code == 200
    assert (await service.post("/v1/predict", files={"file": ("a.jpg", jpeg())})).status_code == 200
