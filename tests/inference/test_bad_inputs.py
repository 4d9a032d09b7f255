"""Bad uploads get a 4xx problem+json, and a flood of malformed files never breaks the service."""

from __future__ import annotations

import os
import random

import httpx
import pytest

from tests.inference.conftest import ServiceFactory
from tests.inference.signing import created_manifest, make_authority, sign
from tests.support.images import (
    PDF,
    SVG,
    encode,
    jpeg,
    photo_like,
    png,
    png_bomb,
    png_with_metadata_bomb,
    webp,
)

PROBLEM = "application/problem+json"


async def post_file(client: httpx.AsyncClient, data: bytes, name: str = "upload") -> httpx.Response:
    return await client.post("/v1/predict", files={"file": (name, data)})


@pytest.mark.parametrize(
    ("data", "status", "slug"),
    [
        (b"", 422, "empty-file"),
        (b"hello, this is plain text and not an image at all", 415, "unsupported-image"),
        (SVG, 415, "unsupported-image"),
        (PDF, 415, "unsupported-image"),
        (encode(photo_like(), format="GIF"), 415, "unsupported-image"),
        (encode(photo_like(), format="BMP"), 415, "unsupported-image"),
        (jpeg()[: len(jpeg()) // 2], 422, "corrupt-image"),
        (png()[:-300], 422, "corrupt-image"),
        (png_bomb(), 413, "too-many-pixels"),
    ],
    ids=["empty", "text", "svg", "pdf", "gif", "bmp", "truncated-jpeg", "truncated-png", "bomb"],
)
async def test_bad_upload_is_a_problem(
    service: httpx.AsyncClient, data: bytes, status: int, slug: str
) -> None:
    response = await post_file(service, data)

    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"] == f"urn:deepcatcher:problem:{slug}"


METADATA_BOMBS = ["ztxt", "itxt-after-pixels", "iccp", "many-ztxt"]


@pytest.mark.parametrize("kind", METADATA_BOMBS)
async def test_png_metadata_too_large_to_read_is_named_as_the_cause(
    service: httpx.AsyncClient, kind: str
) -> None:
    response = await post_file(service, png_with_metadata_bomb(kind), name="a.png")

    assert response.status_code == 422, response.text
    body = response.json()
    assert body["type"] == "urn:deepcatcher:problem:metadata-too-large"
    assert "MiB" in body["detail"] and "not accepted" in body["detail"]


async def test_huge_dimensions_are_refused_before_decoding(start_service: ServiceFactory) -> None:
    async with start_service(max_image_pixels=100_000) as client:
        response = await post_file(client, encode(photo_like(width=2000, height=60), format="PNG"))

    assert response.status_code == 413
    assert "2000x60" in response.json()["detail"]


async def test_oversized_file_is_refused(start_service: ServiceFactory) -> None:
    async with start_service(max_upload_bytes=4_000, max_files_per_request=4) as client:
        response = await post_file(client, png(width=400, height=400))

    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM


async def test_oversized_body_is_refused_while_streaming(start_service: ServiceFactory) -> None:
    async with start_service(max_upload_bytes=1_000, max_files_per_request=1) as client:
        response = await post_file(client, os.urandom(200_000))

    assert response.status_code == 413
    assert response.json()["type"] == "urn:deepcatcher:problem:payload-too-large"


@pytest.mark.parametrize("name", ["../../etc/passwd", "photo\u202egpj.exe", "x" * 300 + ".jpg"])
async def test_hostile_file_names_are_refused(service: httpx.AsyncClient, name: str) -> None:
    response = await post_file(service, jpeg(), name=name)

    assert response.status_code == 422
    assert response.json()["type"] == "urn:deepcatcher:problem:unsafe-filename"


async def test_missing_file_field_is_a_validation_problem(service: httpx.AsyncClient) -> None:
    response = await service.post("/v1/predict", files={"other": ("a.jpg", jpeg())})

    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM


async def test_unknown_route_and_method_are_problems(service: httpx.AsyncClient) -> None:
    missing = await service.get("/v1/nothing-here")
    wrong_method = await service.get("/v1/predict")

    assert (missing.status_code, wrong_method.status_code) == (404, 405)
    assert missing.headers["content-type"] == wrong_method.headers["content-type"] == PROBLEM


def malformed_files(seed: int, count: int) -> list[bytes]:
    """Random bytes, truncations, bit flips and spliced headers of real JPEG, PNG and WebP files."""
    rng = random.Random(seed)
    valid = [jpeg(seed=seed), png(seed=seed), webp(seed=seed)]
    files = []
    for index in range(count):
        base = bytearray(valid[index % len(valid)])
        kind = index % 5
        if kind == 0:
            files.append(rng.randbytes(rng.randint(1, 4096)))
        elif kind == 1:
            files.append(bytes(base[: rng.randint(1, len(base) - 1)]))
        elif kind == 2:
            for _ in range(rng.randint(1, 40)):
                base[rng.randrange(len(base))] = rng.randrange(256)
            files.append(bytes(base))
        elif kind == 3:
            files.append(bytes(base[:64]) + rng.randbytes(rng.randint(0, 2048)))
        else:
            cut = rng.randrange(16, len(base))
            files.append(bytes(base[:cut]) + bytes(base[cut + rng.randint(1, 200) :]))
    return files


def resident_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


async def test_fuzzed_files_never_break_the_service(start_service: ServiceFactory) -> None:
    async with start_service(batch_max_wait_ms=1) as client:
        statuses = []
        resident = []
        for round_ in range(2):
            for data in malformed_files(seed=round_, count=150):
                response = await post_file(client, data)
                statuses.append(response.status_code)
                if response.status_code != 200:
                    assert response.headers["content-type"] == PROBLEM, response.text
            resident.append(resident_bytes())
        health = await client.get("/healthz")
        still_scores = await post_file(client, jpeg(seed=99))

    assert all(status == 200 or 400 <= status < 500 for status in statuses), sorted(set(statuses))
    assert sum(400 <= status < 500 for status in statuses) > 150
    assert health.status_code == 200
    assert still_scores.status_code == 200
    # A second round of the same kind of input must not keep growing the process.
    assert resident[1] - resident[0] < 64 * 1024 * 1024, resident


def mutated_manifests(count: int) -> list[bytes]:
    """A C2PA-signed JPEG with random bytes changed inside its manifest store."""
    rng = random.Random(7)
    manifest = created_manifest(source_type="trainedAlgorithmicMedia")
    signed = sign(jpeg(seed=5), manifest=manifest, authority=make_authority())
    start = max(signed.find(b"jumb") - 64, 0)
    files = []
    for _ in range(count):
        mutated = bytearray(signed)
        for _ in range(rng.randint(1, 8)):
            mutated[rng.randrange(start, start + 4000)] = rng.randrange(256)
        files.append(bytes(mutated))
    return files


async def test_fuzzed_c2pa_manifests_never_break_the_service(service: httpx.AsyncClient) -> None:
    statuses, decided = [], []
    for data in mutated_manifests(150):
        response = await post_file(service, data)
        statuses.append(response.status_code)
        if response.status_code == 200:
            decided.append(response.json()["decided_by"])

    assert all(status == 200 or 400 <= status < 500 for status in statuses), sorted(set(statuses))
    assert statuses.count(200) > 100  # the pixels are intact; only the manifest is damaged
    assert "model" in decided  # broken manifests no longer decide
