"""Known images in the web UI: the match card, the admins' list, import and remove."""

from __future__ import annotations

import io
import re
import zipfile

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from services.web.predictions.verdicts import KNOWN_IMAGE_EXPLANATION
from tests.support.api import PASSWORD, promote_to_admin
from tests.support.images import encode, halved, scene
from tests.web.conftest import WebFactory
from tests.web.pages import HTMX, checked_prediction_ids, csrf_token, post_form, sign_up

REPORT_ID = re.compile(r'id="report-([0-9a-f-]{36})"')
KNOWN_ID = re.compile(r'id="known-([0-9a-f-]{36})"')


def zipped(manifest: str, **files: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        bundle.writestr("manifest.csv", manifest)
        for name, data in files.items():
            bundle.writestr(name, data)
    return buffer.getvalue()


async def as_admin(web: httpx.AsyncClient, engine: AsyncEngine) -> None:
    await sign_up(web, "root@example.org")
    await promote_to_admin(engine, "root@example.org")
    await post_form(web, "/account/sign-out")
    await post_form(web, "/account/sign-in", {"email": "root@example.org", "password": PASSWORD})


async def import_zip(web: httpx.AsyncClient, data: bytes) -> httpx.Response:
    token = await csrf_token(web, "/admin/known-images")
    return await web.post(
        "/admin/known-images/import",
        data={"csrf_token": token},
        files={"archive": ("known.zip", data, "application/zip")},
    )


async def test_confirming_a_fake_shows_a_match_card_on_a_later_copy(
    make_web: WebFactory, db_engine: AsyncEngine
) -> None:
    original = encode(scene(seed=21), format="PNG")
    copy = encode(halved(scene(seed=21)), format="JPEG", quality=80)
    async with make_web() as member, make_web() as admin, make_web() as stranger:
        await sign_up(member, "ada@example.org")
        (prediction,) = await checked_prediction_ids(member, ("a.png", original, "image/png"))
        body = {"claimed_label": "fake", "comment": "Generated"}
        await post_form(member, f"/predictions/{prediction}/reports", body)
        await as_admin(admin, db_engine)
        queue = await admin.get("/reports?status=open")
        assert "Confirming adds this image to the known images" in queue.text
        (report_id,) = REPORT_ID.findall(queue.text)
        note = {"decision": "confirmed", "public_note": "Debunked by our desk"}
        await post_form(admin, f"/reports/{report_id}/resolve", note, headers=HTMX)
        await sign_up(stranger, "bob@example.org")
        (later,) = await checked_prediction_ids(stranger, ("copy.jpg", copy, "image/jpeg"))
        page = await stranger.get(f"/predictions/{later}")
    assert page.status_code == 200
    assert "Known images" in page.text and "A copy of a known AI image" in page.text
    assert "Debunked by our desk" in page.text and KNOWN_IMAGE_EXPLANATION in page.text
    assert "a.png" not in page.text


async def test_admins_import_search_and_remove_known_images(
    web: httpx.AsyncClient, db_engine: AsyncEngine
) -> None:
    await as_admin(web, db_engine)
    bad = zipped("file,label,note\nx.png,maybe,\n", **{"x.png": encode(scene(seed=22))})
    refused = await import_zip(web, bad)
    assert refused.status_code == 422
    assert "Nothing was imported" in refused.text and "label must be" in refused.text

    good = zipped(
        "file,label,note\none.png,ai,Flood hoax\ntwo.png,real,Press photo\n",
        **{"one.png": encode(scene(seed=23), format="PNG"), "two.png": encode(scene(seed=24))},
    )
    imported = await import_zip(web, good)
    assert imported.status_code == 303
    listing = await web.get("/admin/known-images")
    assert "Imported 2 known images." in listing.text
    assert "Flood hoax" in listing.text and "Press photo" in listing.text
    found = await web.get("/admin/known-images", params={"q": "flood"})
    assert "Flood hoax" in found.text and "Press photo" not in found.text
    (entry,) = KNOWN_ID.findall(found.text)
    removed = await post_form(web, f"/admin/known-images/{entry}/remove")
    assert removed.status_code == 303
    assert "Flood hoax" not in (await web.get("/admin/known-images")).text


async def test_members_cannot_open_the_known_images(web: httpx.AsyncClient) -> None:
    await sign_up(web, "eve@example.org")

    page = await web.get("/admin/known-images")

    assert page.status_code == 403
    assert 'href="/admin/known-images"' not in (await web.get("/")).text
