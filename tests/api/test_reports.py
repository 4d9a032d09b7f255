"""Reports: users flag wrong verdicts, admins resolve them, confirmed ones export as data."""

from __future__ import annotations

import io
import json
import tarfile
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.support import images
from tests.support.api import (
    JPEG,
    assert_problem,
    create_prediction,
    predict,
    promote_to_admin,
    sign_up,
)


async def report(
    client: httpx.AsyncClient, headers: dict[str, str], prediction_id: str, **body: Any
) -> dict[str, Any]:
    response = await client.post(
        f"/v1/predictions/{prediction_id}/reports",
        json={"claimed_label": "real"} | body,
        headers=headers,
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def member(archive: tarfile.TarFile, name: str) -> bytes:
    handle = archive.extractfile(name)
    assert handle is not None, name
    return handle.read()


async def test_report_lifecycle_and_feedback_export(
    client: httpx.AsyncClient, db_engine: AsyncEngine
) -> None:
    user = await sign_up(client, "ada@example.org")
    admin = await sign_up(client, "root@example.org")
    await promote_to_admin(db_engine, "root@example.org")
    photo, render = images.jpeg(seed=1), images.png(seed=2)
    first = await create_prediction(client, user, photo, "mine.jpg")
    second = await create_prediction(client, user, render, "render.png")
    confirmed = await report(
        client, user, first["id"], comment="I took it", source_url="https://example.org/p/1"
    )
    rejected = await report(client, user, second["id"], claimed_label="fake")
    assert (confirmed["status"], confirmed["prediction"]["filename"]) == ("open", "mine.jpg")
    assert confirmed["source_url"] == "https://example.org/p/1"

    open_queue = await client.get("/v1/reports", params={"status": "open"}, headers=admin)
    assert {item["id"] for item in open_queue.json()["items"]} == {confirmed["id"], rejected["id"]}
    done = await client.patch(
        f"/v1/reports/{confirmed['id']}",
        json={"status": "confirmed", "resolution_note": "EXIF checks out"},
        headers=admin,
    )
    assert done.status_code == 200
    assert done.json()["status"] == "confirmed"
    assert done.json()["resolved_at"] is not None
    await client.patch(f"/v1/reports/{rejected['id']}", json={"status": "rejected"}, headers=admin)
    mine = await client.get("/v1/reports", headers=user)
    assert {item["status"] for item in mine.json()["items"]} == {"confirmed", "rejected"}

    export = await client.get("/v1/admin/feedback-export", headers=admin)
    assert export.status_code == 200
    assert export.headers["content-type"] == "application/x-tar"
    with tarfile.open(fileobj=io.BytesIO(export.content)) as archive:
        manifest = [json.loads(line) for line in member(archive, "manifest.jsonl").splitlines()]
        assert len(manifest) == 1
        assert manifest[0]["label"] == "real"
        assert member(archive, manifest[0]["file"]) == photo


async def test_report_validation(client: httpx.AsyncClient) -> None:
    user = await sign_up(client, "bob@example.org")
    prediction = await create_prediction(client, user, images.jpeg(seed=3))
    url = f"/v1/predictions/{prediction['id']}/reports"
    bad_label = await client.post(url, json={"claimed_label": "maybe"}, headers=user)
    bad_url = await client.post(
        url, json={"claimed_label": "real", "source_url": "javascript:alert(1)"}, headers=user
    )
    too_long = await client.post(
        url, json={"claimed_label": "real", "comment": "x" * 2001}, headers=user
    )
    for response in (bad_label, bad_url, too_long):
        assert_problem(response, 422)
    assert (await client.get("/v1/reports", headers=user)).json()["items"] == []


async def test_admin_status_filter_and_invalid_resolution(
    client: httpx.AsyncClient, db_engine: AsyncEngine
) -> None:
    user = await sign_up(client, "cat@example.org")
    admin = await sign_up(client, "boss@example.org")
    await promote_to_admin(db_engine, "boss@example.org")
    prediction = await create_prediction(client, user, images.jpeg(seed=4))
    created = await report(client, user, prediction["id"])
    assert (await client.get("/v1/reports", params={"status": "confirmed"}, headers=admin)).json()[
        "items"
    ] == []
    invalid = await client.patch(
        f"/v1/reports/{created['id']}", json={"status": "open"}, headers=admin
    )
    assert_problem(invalid, 422)


async def test_only_the_public_note_is_shown_with_matches(
    client: httpx.AsyncClient, db_engine: AsyncEngine
) -> None:
    reporter = await sign_up(client, "ada@example.org")
    stranger = await sign_up(client, "bob@example.org")
    admin = await sign_up(client, "root@example.org")
    await promote_to_admin(db_engine, "root@example.org")
    picture = images.encode(images.scene(seed=40), format="JPEG", quality=90)
    prediction = await create_prediction(client, reporter, picture, "mine.jpg")
    created = await report(client, reporter, prediction["id"], claimed_label="fake")
    resolved = await client.patch(
        f"/v1/reports/{created['id']}",
        json={
            "status": "confirmed",
            "resolution_note": "You generated it yourself, as you said.",
            "public_note": "Generated; debunked in 2026.",
        },
        headers=admin,
    )
    assert resolved.status_code == 200, resolved.text

    for headers in ({}, stranger):
        seen = await predict(client, ("copy.jpg", picture, JPEG), headers=headers)
        matches = next(
            s for s in seen.json()["items"][0]["prediction"]["signals"] if s["name"] == "matches"
        )
        assert [m["note"] for m in matches["evidence"]["known"]] == ["Generated; debunked in 2026."]
        assert "You generated it" not in seen.text
    own = (await client.get(f"/v1/reports/{created['id']}", headers=reporter)).json()
    assert own["resolution_note"] == "You generated it yourself, as you said."
    assert own["public_note"] == "Generated; debunked in 2026."
