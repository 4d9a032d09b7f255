"""Pictures too plain to fingerprint: never a known image, never matched, never poisoning."""

from __future__ import annotations

import httpx
from PIL import Image, ImageDraw
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from services.api.known_images.matching import stored_hashes
from services.api.known_images.models import KnownImage
from tests.api.test_known_images import (
    admin_of,
    archive,
    check,
    copy_of,
    import_known,
    matches_of,
    png_of,
)
from tests.conftest import ApiFactory
from tests.support.api import PNG, assert_problem, count_rows, create_prediction, predict, sign_up
from tests.support.fingerprints import fingerprints, known_row
from tests.support.images import encode


def flat(width: int, height: int, colour: tuple[int, int, int] = (0, 0, 0)) -> Image.Image:
    return Image.new("RGB", (width, height), colour)


FLAT_BLACK = flat(512, 512)
BLANK_PAGE = flat(1240, 1754, (255, 255, 255))
BANNER = flat(728, 90, (20, 90, 200))


def png(image: Image.Image) -> bytes:
    return encode(image, format="PNG")


async def assert_not_decided_by_a_known_image(
    client: httpx.AsyncClient, data: bytes, headers: dict[str, str]
) -> None:
    """An answer that no known image decided, or a 4xx refusal (a too small picture)."""
    response = await predict(client, ("plain.png", data, PNG), headers=headers)
    if 400 <= response.status_code < 500:
        assert_problem(response, response.status_code)
        return
    assert response.status_code in {200, 201}, response.text
    item = response.json()["items"][0]
    assert item["status"] == "error" or item["prediction"]["decided_by"] != "known_image", item


async def test_a_flat_black_picture_reported_fake_decides_nothing_for_anyone(
    client: httpx.AsyncClient, db_engine: AsyncEngine
) -> None:
    reporter = await sign_up(client, "ada@example.org")
    stranger = await sign_up(client, "bob@example.org")
    admin = await admin_of(client, db_engine)
    black = await create_prediction(client, reporter, png(FLAT_BLACK), "black.png")
    created = await client.post(
        f"/v1/predictions/{black['id']}/reports", json={"claimed_label": "fake"}, headers=reporter
    )

    refused = await client.patch(
        f"/v1/reports/{created.json()['id']}",
        json={"status": "confirmed", "resolution_note": "generated"},
        headers=admin,
    )

    body = assert_problem(refused, 422)
    assert "too plain" in body["detail"] and "quality" in body["detail"]
    report = await client.get(f"/v1/reports/{created.json()['id']}", headers=admin)
    assert (report.json()["status"], report.json()["resolution_note"]) == ("open", None)
    assert await count_rows(db_engine, "known_images") == 0
    for headers in ({}, stranger):
        for picture in (BLANK_PAGE, BANNER, flat(300, 200)):
            assert (await check(client, png(picture), headers))["decided_by"] != "known_image"
        await assert_not_decided_by_a_known_image(client, png(flat(1, 1)), headers)


async def test_flat_entries_stored_before_the_floor_match_nothing(
    make_api: ApiFactory, db_engine: AsyncEngine
) -> None:
    # What earlier versions stored for flat pictures: every hash, however poor its quality.
    legacy = []
    for picture in (FLAT_BLACK, BLANK_PAGE, BANNER):
        found = fingerprints(picture, for_known=True)
        hashes = [found.pdq, found.pdq_centre or found.pdq, *(found.pdq_sides or [])]
        legacy.append(known_row(b"".join(bytes.fromhex(pdq) for pdq in hashes)))
    async with db_engine.begin() as connection:
        await connection.execute(insert(KnownImage), legacy)

    async with make_api() as client:  # a replica loads the table at start-up
        for picture in (flat(300, 200), flat(2000, 1000, (255, 255, 255)), BANNER):
            seen = await check(client, png(picture))
            assert seen["decided_by"] != "known_image"
            assert matches_of(seen)["evidence"]["known"] == []


async def test_an_import_of_a_flat_picture_is_refused_with_the_reason(
    client: httpx.AsyncClient, db_engine: AsyncEngine
) -> None:
    admin = await admin_of(client, db_engine)
    rows = [
        {"file": "fine.png", "label": "ai", "note": ""},
        {"file": "blank.png", "label": "ai", "note": ""},
    ]

    refused = await import_known(
        client, admin, archive(rows, {"fine.png": png_of(40), "blank.png": png(BLANK_PAGE)})
    )

    items = assert_problem(refused, 422)["items"]
    assert [item["status"] for item in items] == ["ok", "error"]
    assert "too plain" in items[1]["error"]["detail"]
    assert await count_rows(db_engine, "known_images") == 0
    assert (await check(client, copy_of(40)))["decided_by"] == "model"


def framed_blank() -> Image.Image:
    """A white picture with a thin black frame: detail at its edge, none in its centre."""
    picture = flat(512, 512, (255, 255, 255))
    ImageDraw.Draw(picture).rectangle((0, 0, 511, 511), outline=(0, 0, 0), width=3)
    return picture


async def test_a_known_image_keeps_only_its_hashes_with_detail(
    client: httpx.AsyncClient, db_engine: AsyncEngine
) -> None:
    found = fingerprints(framed_blank(), for_known=True)
    assert found.pdq_centre is not None
    assert found.pdq in stored_hashes(found) and found.pdq_centre not in stored_hashes(found)
    admin = await admin_of(client, db_engine)
    rows = [{"file": "frame.png", "label": "ai", "note": ""}]
    imported = await import_known(client, admin, archive(rows, {"frame.png": png(framed_blank())}))
    assert imported.status_code == 201, imported.text

    copy = encode(framed_blank(), format="JPEG", quality=80)
    assert (await check(client, copy))["decided_by"] == "known_image"
    assert (await check(client, png(BLANK_PAGE)))["decided_by"] != "known_image"


async def test_flat_pictures_are_not_your_earlier_checks(client: httpx.AsyncClient) -> None:
    user = await sign_up(client, "ada@example.org")
    await create_prediction(client, user, png(flat(300, 300)), "black.png")

    again = matches_of(await check(client, png(flat(400, 400)), user))

    assert again["evidence"]["history"] == []
    assert again["summary"] == "Not like any known image."
