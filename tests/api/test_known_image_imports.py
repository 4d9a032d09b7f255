"""Known-image imports read a zip as its author laid it out, and only what the manifest lists."""

from __future__ import annotations

import tracemalloc

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.api.test_known_images import admin_of, check, copy_of, import_known, matches_of, png_of
from tests.conftest import ApiFactory
from tests.support.api import assert_problem, count_rows
from tests.support.archives import manifest_csv, padded_noise, with_manifest, zipped
from tests.support.transports import RecordingTransport

FINGERPRINTS = "/v1/fingerprints"
MIB = 1024 * 1024


def row(file: str, label: str = "ai", note: str = "") -> dict[str, str]:
    return {"file": file, "label": label, "note": note}


async def test_members_are_named_by_their_full_path(
    client: httpx.AsyncClient, db_engine: AsyncEngine
) -> None:
    admin = await admin_of(client, db_engine)
    same_name = (("real/x.png", png_of(40)), ("ai/x.png", png_of(41)))
    assert matches_of(await check(client, copy_of(41)))["evidence"]["known"] == []

    bare = await import_known(client, admin, with_manifest([row("x.png", "real")], *same_name))

    detail = assert_problem(bare, 422)["items"][0]["error"]["detail"]
    assert "real/x.png" in detail and "ai/x.png" in detail
    assert await count_rows(db_engine, "known_images") == 0
    rows = [row("real/x.png", "real", "Press photo"), row("ai/x.png", "ai", "Generated")]
    imported = await import_known(client, admin, with_manifest(rows, *same_name))
    assert imported.status_code == 201, imported.text
    files = [item["entry"]["filename"] for item in imported.json()["items"]]
    assert files == ["real/x.png", "ai/x.png"]
    generated = await check(client, copy_of(41))
    assert generated["decided_by"] == "known_image"
    assert [m["note"] for m in matches_of(generated)["evidence"]["known"]] == ["Generated"]
    photo = await check(client, copy_of(40))
    assert [m["label"] for m in matches_of(photo)["evidence"]["known"]] == ["real"]


async def test_a_name_twice_in_the_archive_is_refused(
    client: httpx.AsyncClient, db_engine: AsyncEngine
) -> None:
    admin = await admin_of(client, db_engine)
    twice = with_manifest([row("a.png")], ("a.png", png_of(42)), ("a.png", png_of(43)))
    slashes = with_manifest([row("d/b.png")], ("d/b.png", png_of(42)), ("d\\b.png", png_of(43)))

    for data, name in ((twice, "a.png"), (slashes, "d/b.png")):
        body = assert_problem(await import_known(client, admin, data), 422)
        assert name in body["detail"]

    assert await count_rows(db_engine, "known_images") == 0


async def test_only_a_manifest_at_the_root_counts(
    client: httpx.AsyncClient, db_engine: AsyncEngine
) -> None:
    admin = await admin_of(client, db_engine)
    nested = manifest_csv([row("a.png", "real", "from the nested manifest")])
    only_nested = zipped(("sub/manifest.csv", nested), ("a.png", png_of(44)))
    both = with_manifest([row("a.png")], ("a.png", png_of(44)), ("sub/manifest.csv", nested))

    for data in (only_nested, both):
        body = assert_problem(await import_known(client, admin, data), 422)
        assert "sub/manifest.csv" in body["detail"]

    assert await count_rows(db_engine, "known_images") == 0


async def test_members_the_manifest_does_not_list_are_never_inflated(
    make_api: ApiFactory, db_engine: AsyncEngine
) -> None:
    # No index refresh while memory is measured: rebuilding the index is not the import's cost.
    async with make_api(known_images_refresh_s=3600) as client:
        admin = await admin_of(client, db_engine)
        warm_up = with_manifest([row("warm.png")], ("warm.png", png_of(45)))
        assert (await import_known(client, admin, warm_up)).status_code == 201
        # Four 16 MiB members in a 2.5 MB zip, within the zip-bomb ratio: once all were inflated.
        unlisted = [(f"extras/{n}.bin", padded_noise(16 * MIB, seed=n)) for n in range(4)]
        data = with_manifest([row("listed.png")], ("listed.png", png_of(46)), *unlisted)
        del unlisted

        tracemalloc.start()
        try:
            imported = await import_known(client, admin, data)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    assert imported.status_code == 201, imported.text
    assert peak < 16 * MIB, f"the import held {peak / MIB:.0f} MiB at its peak"


async def test_a_manifest_over_the_row_cap_is_refused_before_any_hashing(
    make_api: ApiFactory, db_engine: AsyncEngine, inference_transport: RecordingTransport
) -> None:
    async with make_api(max_import_items=3) as client:
        admin = await admin_of(client, db_engine)
        data = with_manifest([row(f"{n}.png") for n in range(4)], ("0.png", png_of(47)))

        body = assert_problem(await import_known(client, admin, data), 422)

    assert "at most 3 rows" in body["detail"]
    assert inference_transport.count(FINGERPRINTS) == 0
    assert await count_rows(db_engine, "known_images") == 0


async def test_a_file_listed_many_times_is_fingerprinted_once(
    client: httpx.AsyncClient, db_engine: AsyncEngine, inference_transport: RecordingTransport
) -> None:
    admin = await admin_of(client, db_engine)
    rows = [row("a.png", note=f"copy {n}") for n in range(199)] + [row("a.png", "real")]

    refused = assert_problem(
        await import_known(client, admin, with_manifest(rows, ("a.png", png_of(48)))), 422
    )

    assert inference_transport.count(FINGERPRINTS) == 1
    assert [item["status"] for item in refused["items"]] == ["ok"] + ["error"] * 199
    assert all("row 0" in item["error"]["detail"] for item in refused["items"][1:])
    assert await count_rows(db_engine, "known_images") == 0


async def test_copies_under_other_names_are_fingerprinted_once(
    client: httpx.AsyncClient, db_engine: AsyncEngine, inference_transport: RecordingTransport
) -> None:
    admin = await admin_of(client, db_engine)
    copies = [(f"copies/{n}.png", png_of(48)) for n in range(50)]
    rows = [row(name) for name, _ in copies]

    refused = assert_problem(await import_known(client, admin, with_manifest(rows, *copies)), 422)

    assert inference_transport.count(FINGERPRINTS) == 1
    assert all("row 0" in item["error"]["detail"] for item in refused["items"][1:])
    assert await count_rows(db_engine, "known_images") == 0


async def test_a_nul_in_a_manifest_field_is_refused(
    client: httpx.AsyncClient, db_engine: AsyncEngine
) -> None:
    admin = await admin_of(client, db_engine)
    data = with_manifest([row("a.png", note="Debunked\x00 2026")], ("a.png", png_of(49)))

    body = assert_problem(await import_known(client, admin, data), 422)

    detail = body["items"][0]["error"]["detail"]
    assert "note" in detail and "NUL" in detail
    assert await count_rows(db_engine, "known_images") == 0
