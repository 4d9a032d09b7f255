"""One state for a picture: reports and imports never leave it known as both AI and real."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.api.test_known_images import admin_of, archive, check, copy_of, import_known, png_of
from tests.support.api import assert_problem, count_rows, create_prediction, sign_up

LIVE = "known_images WHERE removed_at IS NULL"


async def reported(
    client: httpx.AsyncClient, user: dict[str, str], data: bytes, claimed_label: str
) -> str:
    """The id of the user's report on their check of these bytes."""
    prediction = await create_prediction(client, user, data)
    response = await client.post(
        f"/v1/predictions/{prediction['id']}/reports",
        json={"claimed_label": claimed_label},
        headers=user,
    )
    assert response.status_code == 201, response.text
    report_id: str = response.json()["id"]
    return report_id


async def resolve(
    client: httpx.AsyncClient, admin: dict[str, str], report_id: str, status: str
) -> httpx.Response:
    return await client.patch(
        f"/v1/reports/{report_id}",
        json={"status": status, "resolution_note": f"{status} by review"},
        headers=admin,
    )


async def test_rejecting_a_confirmed_report_takes_its_picture_out_of_the_known_images(
    client: httpx.AsyncClient, db_engine: AsyncEngine
) -> None:
    user = await sign_up(client, "ada@example.org")
    admin = await admin_of(client, db_engine)
    report_id = await reported(client, user, png_of(30), "fake")
    assert (await resolve(client, admin, report_id, "confirmed")).status_code == 200
    assert (await check(client, copy_of(30)))["decided_by"] == "known_image"

    assert (await resolve(client, admin, report_id, "rejected")).status_code == 200

    assert (await check(client, copy_of(30)))["decided_by"] == "model"
    assert (await client.get("/v1/admin/known-images", headers=admin)).json()["items"] == []
    assert (await resolve(client, admin, report_id, "confirmed")).status_code == 200
    assert await count_rows(db_engine, LIVE) == 1
    assert (await check(client, copy_of(30)))["decided_by"] == "known_image"


async def test_confirming_again_or_at_once_adds_one_entry(
    client: httpx.AsyncClient, db_engine: AsyncEngine
) -> None:
    user = await sign_up(client, "ada@example.org")
    admin = await admin_of(client, db_engine)
    first = await reported(client, user, png_of(31), "fake")
    second = await reported(client, user, png_of(32), "fake")

    assert (await resolve(client, admin, first, "confirmed")).status_code == 200
    assert (await resolve(client, admin, first, "confirmed")).status_code == 200
    at_once = await asyncio.gather(*(resolve(client, admin, second, "confirmed") for _ in "ab"))

    assert all(response.status_code in {200, 409} for response in at_once), at_once
    assert any(response.status_code == 200 for response in at_once)
    assert await count_rows(db_engine, LIVE) == 2
    entries = (await client.get("/v1/admin/known-images", headers=admin)).json()["items"]
    assert sorted(entry["report_id"] for entry in entries) == sorted([first, second])


async def test_opposite_reports_on_one_picture_cannot_both_be_confirmed(
    client: httpx.AsyncClient, db_engine: AsyncEngine
) -> None:
    ada = await sign_up(client, "ada@example.org")
    bob = await sign_up(client, "bob@example.org")
    admin = await admin_of(client, db_engine)
    fake = await reported(client, ada, png_of(33), "fake")
    real = await reported(client, bob, copy_of(33), "real")
    assert (await resolve(client, admin, fake, "confirmed")).status_code == 200
    entry = (await client.get("/v1/admin/known-images", headers=admin)).json()["items"][0]

    refused = await resolve(client, admin, real, "confirmed")

    body = assert_problem(refused, 409)
    assert entry["id"] in body["detail"] and "'ai'" in body["detail"]
    assert body["conflicting_entry"] == {"id": entry["id"], "label": "ai"}
    still = (await client.get(f"/v1/reports/{real}", headers=admin)).json()
    assert (still["status"], still["resolution_note"]) == ("open", None)
    assert await count_rows(db_engine, LIVE) == 1
    assert (await check(client, copy_of(33)))["decided_by"] == "known_image"


async def test_a_report_on_a_picture_already_known_with_its_label_adds_nothing(
    client: httpx.AsyncClient, db_engine: AsyncEngine
) -> None:
    admin = await admin_of(client, db_engine)
    user = await sign_up(client, "ada@example.org")
    rows = [{"file": "a.png", "label": "ai", "note": "imported"}]
    assert (await import_known(client, admin, archive(rows, {"a.png": png_of(34)}))).is_success
    report_id = await reported(client, user, copy_of(34), "fake")

    confirmed = await resolve(client, admin, report_id, "confirmed")
    assert (confirmed.status_code, confirmed.json()["status"]) == (200, "confirmed")
    assert await count_rows(db_engine, LIVE) == 1
    assert (await resolve(client, admin, report_id, "rejected")).status_code == 200

    assert await count_rows(db_engine, LIVE) == 1
    assert (await check(client, copy_of(34)))["decided_by"] == "known_image"


def row_errors(response: httpx.Response) -> list[dict[str, Any] | None]:
    return [item.get("error") for item in assert_problem(response, 422)["items"]]


async def test_an_import_cannot_contradict_a_known_image_or_itself(
    client: httpx.AsyncClient, db_engine: AsyncEngine
) -> None:
    admin = await admin_of(client, db_engine)
    known = [{"file": "a.png", "label": "ai", "note": "generated"}]
    imported = await import_known(client, admin, archive(known, {"a.png": png_of(35)}))
    entry_id = imported.json()["items"][0]["entry"]["id"]
    rows = [
        {"file": "reencoded.jpg", "label": "real", "note": "my photo"},
        {"file": "again.png", "label": "ai", "note": ""},
        {"file": "new.png", "label": "ai", "note": ""},
        {"file": "new-copy.jpg", "label": "real", "note": ""},
    ]
    files = {
        "reencoded.jpg": copy_of(35),
        "again.png": png_of(35),
        "new.png": png_of(36),
        "new-copy.jpg": copy_of(36),
    }

    errors = row_errors(await import_known(client, admin, archive(rows, files)))

    conflict, again, fine, twin = errors
    assert conflict is not None and conflict["status"] == 409
    assert conflict["conflicting_entry"] == {"id": entry_id, "label": "ai"}
    assert again is not None and entry_id in again["detail"]
    assert fine is None
    assert twin is not None and "new.png" in twin["detail"] and "'ai'" in twin["detail"]
    assert await count_rows(db_engine, LIVE) == 1
    assert (await check(client, copy_of(35)))["decided_by"] == "known_image"
    assert (await check(client, copy_of(36)))["decided_by"] == "model"
