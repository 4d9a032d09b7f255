"""Known images: confirmed reports and imports protect every later check of a copy."""

from __future__ import annotations

import asyncio
import csv
import io
import zipfile
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from services.api.known_images.cli import send_import, send_list, send_remove
from tests.conftest import ApiFactory
from tests.support.api import (
    JPEG,
    PNG,
    assert_problem,
    count_rows,
    create_prediction,
    predict,
    promote_to_admin,
    sign_up,
)
from tests.support.images import cropped_on, encode, halved, scene, screenshot


def png_of(seed: int) -> bytes:
    return encode(scene(seed=seed), format="PNG")


def copy_of(seed: int) -> bytes:
    """A re-posted copy: resized to half and saved as JPEG."""
    return encode(halved(scene(seed=seed)), format="JPEG", quality=80)


def archive(rows: list[dict[str, str]], files: dict[str, bytes]) -> bytes:
    """A zip with the files and a manifest.csv of the rows."""
    manifest = io.StringIO()
    writer = csv.DictWriter(manifest, fieldnames=["file", "label", "note"])
    writer.writeheader()
    writer.writerows(rows)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        bundle.writestr("manifest.csv", manifest.getvalue())
        for name, data in files.items():
            bundle.writestr(name, data)
    return buffer.getvalue()


async def import_known(
    client: httpx.AsyncClient, admin: dict[str, str], data: bytes
) -> httpx.Response:
    return await client.post(
        "/v1/admin/known-images/import",
        files={"archive": ("known.zip", data, "application/zip")},
        headers=admin,
    )


def matches_of(prediction: dict[str, Any]) -> dict[str, Any]:
    signal: dict[str, Any] = next(s for s in prediction["signals"] if s["name"] == "matches")
    return signal


async def check(
    client: httpx.AsyncClient, data: bytes, headers: dict[str, str] | None = None
) -> dict[str, Any]:
    response = await predict(client, ("copy.jpg", data, JPEG), headers=headers or {})
    assert response.status_code in {200, 201}, response.text
    prediction: dict[str, Any] = response.json()["items"][0]["prediction"]
    return prediction


async def admin_of(client: httpx.AsyncClient, engine: AsyncEngine) -> dict[str, str]:
    admin = await sign_up(client, "root@example.org")
    await promote_to_admin(engine, "root@example.org")
    return admin


async def test_a_confirmed_fake_decides_every_later_copy_without_revealing_the_upload(
    client: httpx.AsyncClient, db_engine: AsyncEngine
) -> None:
    reporter = await sign_up(client, "ada@example.org")
    stranger = await sign_up(client, "bob@example.org")
    admin = await admin_of(client, db_engine)
    original = await create_prediction(client, reporter, png_of(1), "secret-leak.png")
    report = await client.post(
        f"/v1/predictions/{original['id']}/reports",
        json={"claimed_label": "fake", "comment": "made with a generator"},
        headers=reporter,
    )
    resolved = await client.patch(
        f"/v1/reports/{report.json()['id']}",
        json={"status": "confirmed", "public_note": "Debunked: generated, 2026"},
        headers=admin,
    )
    assert resolved.status_code == 200, resolved.text

    for headers in ({}, stranger):
        seen = await check(client, copy_of(1), headers)
        assert (seen["verdict"], seen["score"], seen["decided_by"]) == ("fake", 1.0, "known_image")
        known = matches_of(seen)["evidence"]["known"]
        assert [(m["label"], m["note"]) for m in known] == [("ai", "Debunked: generated, 2026")]
        assert set(known[0]) == {"label", "note", "known_since", "distance"}
        text = str(seen)
        assert "secret-leak" not in text and original["id"] not in text
        assert original["image"]["sha256"] not in text
    as_admin = matches_of(await check(client, copy_of(1), admin))["evidence"]["known"][0]
    assert as_admin["source"] == "report" and as_admin["entry_id"]
    unrelated = await check(client, copy_of(2), stranger)
    assert unrelated["decided_by"] == "model" and matches_of(unrelated)["evidence"]["known"] == []


async def test_a_known_real_photo_is_evidence_only(
    client: httpx.AsyncClient, db_engine: AsyncEngine
) -> None:
    admin = await admin_of(client, db_engine)
    before = await check(client, copy_of(3))
    imported = await import_known(
        client,
        admin,
        archive([{"file": "a.png", "label": "real", "note": "Press photo"}], {"a.png": png_of(3)}),
    )
    assert imported.status_code == 201, imported.text

    after = await check(client, copy_of(3))

    assert (after["verdict"], after["score"]) == (before["verdict"], before["score"])
    assert after["decided_by"] == "model"
    assert [m["label"] for m in matches_of(after)["evidence"]["known"]] == ["real"]


async def test_import_list_search_remove(client: httpx.AsyncClient, db_engine: AsyncEngine) -> None:
    admin = await admin_of(client, db_engine)
    rows = [
        {"file": "one.png", "label": "ai", "note": "Viral flood picture"},
        {"file": "two.png", "label": "ai", "note": "Fake summit photo"},
    ]
    imported = await import_known(
        client, admin, archive(rows, {"one.png": png_of(4), "two.png": png_of(5)})
    )
    assert imported.status_code == 201, imported.text
    assert imported.json()["imported"] == 2
    screenshot_copy = encode(screenshot(scene(seed=4)), format="PNG")
    assert (await check(client, screenshot_copy))["decided_by"] == "known_image"

    found = await client.get("/v1/admin/known-images", params={"q": "flood"}, headers=admin)
    assert [item["note"] for item in found.json()["items"]] == ["Viral flood picture"]
    listed = await client.get("/v1/admin/known-images", params={"limit": 1}, headers=admin)
    assert len(listed.json()["items"]) == 1 and listed.json()["next_cursor"]
    entry = found.json()["items"][0]["id"]
    assert (
        await client.delete(f"/v1/admin/known-images/{entry}", headers=admin)
    ).status_code == 204
    assert (await check(client, screenshot_copy))["decided_by"] == "model"
    again = await client.delete(f"/v1/admin/known-images/{entry}", headers=admin)
    assert_problem(again, 404)
    remaining = await client.get("/v1/admin/known-images", headers=admin)
    assert [item["note"] for item in remaining.json()["items"]] == ["Fake summit photo"]


async def test_bad_imports_get_per_row_errors_and_change_nothing(
    client: httpx.AsyncClient, db_engine: AsyncEngine
) -> None:
    admin = await admin_of(client, db_engine)
    first = await import_known(
        client, admin, archive([{"file": "a.png", "label": "ai", "note": ""}], {"a.png": png_of(6)})
    )
    assert first.status_code == 201
    rows = [
        {"file": "good.png", "label": "ai", "note": "fine on its own"},
        {"file": "broken.png", "label": "ai", "note": ""},
        {"file": "good.png", "label": "maybe", "note": ""},
        {"file": "missing.png", "label": "real", "note": ""},
        {"file": "twin.png", "label": "ai", "note": ""},
        {"file": "known.png", "label": "ai", "note": ""},
    ]
    files = {
        "good.png": png_of(7),
        "broken.png": png_of(8)[:200],
        "twin.png": png_of(7),
        "known.png": png_of(6),
    }

    refused = await import_known(client, admin, archive(rows, files))

    body = assert_problem(refused, 422)
    statuses = [(item["file"], item["status"]) for item in body["items"]]
    assert statuses == [
        ("good.png", "ok"),
        ("broken.png", "error"),
        ("good.png", "error"),
        ("missing.png", "error"),
        ("twin.png", "error"),
        ("known.png", "error"),
    ]
    assert all(item["error"]["detail"] for item in body["items"][1:])
    assert await count_rows(db_engine, "known_images") == 1
    assert (await check(client, copy_of(7)))["decided_by"] == "model"
    for bad in (b"not a zip", archive([], {"a.png": png_of(9)})):
        assert_problem(await import_known(client, admin, bad), 422)
    no_manifest = io.BytesIO()
    with zipfile.ZipFile(no_manifest, "w") as bundle:
        bundle.writestr("a.png", png_of(9))
    assert_problem(await import_known(client, admin, no_manifest.getvalue()), 422)
    assert await count_rows(db_engine, "known_images") == 1


async def test_only_admins_manage_known_images(client: httpx.AsyncClient) -> None:
    user = await sign_up(client, "eve@example.org")
    data = archive([{"file": "a.png", "label": "ai", "note": ""}], {"a.png": png_of(10)})

    assert_problem(await import_known(client, user, data), 403)
    assert_problem(await client.get("/v1/admin/known-images", headers=user), 403)
    assert_problem(await client.get("/v1/admin/known-images"), 401)


async def test_every_replica_sees_a_new_entry_within_seconds(
    make_api: ApiFactory, db_engine: AsyncEngine
) -> None:
    async with (
        make_api(known_images_refresh_s=0.2) as first,
        make_api(known_images_refresh_s=0.2) as second,
    ):
        admin = await admin_of(first, db_engine)
        assert (await check(second, copy_of(11)))["decided_by"] == "model"
        data = archive([{"file": "a.png", "label": "ai", "note": "shared"}], {"a.png": png_of(11)})
        assert (await import_known(first, admin, data)).status_code == 201
        await asyncio.sleep(1.0)
        assert (await check(second, copy_of(11)))["decided_by"] == "known_image"
        entry = (await first.get("/v1/admin/known-images", headers=admin)).json()["items"][0]
        await first.delete(f"/v1/admin/known-images/{entry['id']}", headers=admin)
        await asyncio.sleep(1.0)
        assert (await check(second, copy_of(11)))["decided_by"] == "model"


async def test_a_copy_cropped_on_one_side_matches_here_and_on_a_replica_started_later(
    make_api: ApiFactory, db_engine: AsyncEngine
) -> None:
    crops = [encode(cropped_on(scene(seed=12), side=side)) for side in ("left", "bottom")]
    async with make_api() as first:
        admin = await admin_of(first, db_engine)
        data = archive([{"file": "a.png", "label": "ai", "note": "cut"}], {"a.png": png_of(12)})
        assert (await import_known(first, admin, data)).status_code == 201
        assert [(await check(first, crop))["decided_by"] for crop in crops] == ["known_image"] * 2
    async with make_api() as later:
        assert [(await check(later, crop))["decided_by"] for crop in crops] == ["known_image"] * 2


async def test_you_checked_something_like_this_before_shows_only_your_own_history(
    client: httpx.AsyncClient,
) -> None:
    ada = await sign_up(client, "ada@example.org")
    bob = await sign_up(client, "bob@example.org")
    first = await create_prediction(client, ada, png_of(12), "first-look.png")

    again = matches_of(await check(client, copy_of(12), ada))
    stranger = matches_of(await check(client, copy_of(12), bob))
    anonymous = matches_of(await check(client, copy_of(12)))

    assert [m["prediction_id"] for m in again["evidence"]["history"]] == [first["id"]]
    assert again["summary"] == "You checked something like this before."
    assert stranger["evidence"]["history"] == [] and anonymous["evidence"]["history"] == []
    assert "first-look" not in str(stranger) + str(anonymous)


async def test_a_reused_result_follows_the_index_as_it_is_now(
    client: httpx.AsyncClient, db_engine: AsyncEngine
) -> None:
    admin = await admin_of(client, db_engine)
    user = await sign_up(client, "ada@example.org")
    data = copy_of(13)
    assert (await check(client, data, user))["decided_by"] == "model"
    imported = await import_known(
        client,
        admin,
        archive([{"file": "a.png", "label": "ai", "note": "n"}], {"a.png": png_of(13)}),
    )
    assert imported.status_code == 201

    reused = await check(client, data, user)

    assert reused["reused"] is True and reused["decided_by"] == "known_image"
    entry = imported.json()["items"][0]["entry"]["id"]
    await client.delete(f"/v1/admin/known-images/{entry}", headers=admin)
    back = await check(client, data, user)
    assert back["reused"] is True and back["decided_by"] == "model"
    assert len([s for s in back["signals"] if s["name"] == "matches"]) == 1


async def test_png_checks_are_fingerprinted_and_stored(
    client: httpx.AsyncClient, db_engine: AsyncEngine
) -> None:
    user = await sign_up(client, "ada@example.org")
    response = await predict(client, ("a.png", png_of(14), PNG), headers=user)
    assert response.status_code == 201

    async with db_engine.connect() as connection:
        stored = (await connection.execute(text("SELECT pdq, decided_by FROM predictions"))).one()
    assert len(stored[0]) == 64 and stored[1] == "model"


async def test_the_command_line_imports_lists_and_removes(
    client: httpx.AsyncClient,
    db_engine: AsyncEngine,
    capsys: pytest.CaptureFixture[str],
) -> None:
    client.headers.update(await admin_of(client, db_engine))
    bad = archive([{"file": "x.png", "label": "fake", "note": ""}], {"x.png": png_of(15)})
    rows = [{"file": "y.png", "label": "ai", "note": "From the CLI"}]
    good = archive(rows, {"y.png": png_of(16)})

    assert await send_import(client=client, name="bad.zip", data=bad) == 1
    refused = capsys.readouterr()
    assert "x.png: error: label must be 'ai' or 'real'." in refused.out
    assert "nothing was imported" in refused.err
    assert await send_import(client=client, name="good.zip", data=good) == 0
    assert "imported 1 known images" in capsys.readouterr().out
    assert await send_list(client=client, search="CLI") == 0
    entry_id = capsys.readouterr().out.split()[0]
    assert await send_remove(client=client, entry_id=entry_id) == 0
    assert await send_remove(client=client, entry_id=entry_id) == 1
    assert await count_rows(db_engine, "known_images WHERE removed_at IS NULL") == 0
