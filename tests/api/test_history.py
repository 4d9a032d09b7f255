"""History: newest first, keyset pages, filters, deletion with its image."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from services.api.config import ApiSettings
from tests.support import images
from tests.support.api import assert_problem, count_rows, create_prediction, sign_up


async def test_pages_cover_history_newest_first_without_repeats(
    client: httpx.AsyncClient,
) -> None:
    headers = await sign_up(client, "ada@example.org")
    created = [
        (await create_prediction(client, headers, images.jpeg(seed=s)))["id"] for s in range(5)
    ]
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        params: dict[str, str | int] = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = (await client.get("/v1/predictions", params=params, headers=headers)).json()
        seen += [item["id"] for item in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(created))
    assert pages == 3


async def test_filters_by_verdict_and_date(client: httpx.AsyncClient) -> None:
    headers = await sign_up(client, "bob@example.org")
    made = [await create_prediction(client, headers, images.jpeg(seed=s)) for s in range(4)]
    for verdict in {p["verdict"] for p in made}:
        page = await client.get("/v1/predictions", params={"verdict": verdict}, headers=headers)
        expected = sorted(p["id"] for p in made if p["verdict"] == verdict)
        assert sorted(item["id"] for item in page.json()["items"]) == expected
    now = datetime.now(UTC)
    future = {"created_from": (now + timedelta(hours=1)).isoformat()}
    past = {"created_to": (now - timedelta(hours=1)).isoformat()}
    recent = {"created_from": (now - timedelta(hours=1)).isoformat()}
    assert (await client.get("/v1/predictions", params=future, headers=headers)).json()[
        "items"
    ] == []
    assert (await client.get("/v1/predictions", params=past, headers=headers)).json()["items"] == []
    everything = await client.get("/v1/predictions", params=recent, headers=headers)
    assert len(everything.json()["items"]) == 4


async def test_bad_cursor_and_bad_filter(client: httpx.AsyncClient) -> None:
    headers = await sign_up(client, "cat@example.org")
    bad_cursor = await client.get("/v1/predictions", params={"cursor": "garbage"}, headers=headers)
    assert_problem(bad_cursor, 400)
    bad_verdict = await client.get("/v1/predictions", params={"verdict": "maybe"}, headers=headers)
    assert_problem(bad_verdict, 422)
    for number in ("0.0001", "1700000000"):  # Unix timestamps: the schema says ISO 8601 only
        dated = await client.get(
            "/v1/predictions", params={"created_from": number}, headers=headers
        )
        assert "ISO 8601" in str(assert_problem(dated, 422))


async def test_history_needs_a_caller(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/v1/predictions"), 401)


async def test_delete_removes_the_image_once_unreferenced(
    client: httpx.AsyncClient, db_engine: AsyncEngine, api_settings: ApiSettings
) -> None:
    owner = await sign_up(client, "dan@example.org")
    other = await sign_up(client, "eve@example.org")
    shared, alone = images.jpeg(seed=20), images.jpeg(seed=21)
    mine_shared = await create_prediction(client, owner, shared)
    theirs_shared = await create_prediction(client, other, shared)
    mine_alone = await create_prediction(client, owner, alone)

    def files() -> list[str]:
        return sorted(p.name for p in Path(api_settings.image_dir).rglob("*") if p.is_file())

    assert len(files()) == 2

    assert (
        await client.delete(f"/v1/predictions/{mine_alone['id']}", headers=owner)
    ).status_code == 204
    assert files() == [mine_shared["image"]["sha256"]]
    assert (
        await client.delete(f"/v1/predictions/{mine_shared['id']}", headers=owner)
    ).status_code == 204
    assert files() == [mine_shared["image"]["sha256"]]
    assert (await client.get(theirs_shared["image_url"], headers=other)).content == shared
    assert (
        await client.delete(f"/v1/predictions/{theirs_shared['id']}", headers=other)
    ).status_code == 204
    assert files() == []
    assert await count_rows(db_engine, "images") == 0
    assert_problem(await client.get(f"/v1/predictions/{mine_alone['id']}", headers=owner), 404)
