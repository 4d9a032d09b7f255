"""The reports page, and the admins' queue."""

from __future__ import annotations

import re

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from services.web.predictions.verdicts import LABELS
from tests.support.api import promote_to_admin
from tests.support.images import jpeg
from tests.web.conftest import WebFactory
from tests.web.pages import HTMX, checked_prediction_ids, post_form, sign_up

REPORT_ID = re.compile(r'id="report-([0-9a-f-]{36})"')
BADGE = re.compile(r'<span class="verdict verdict-(\w+) small">\s*<span class="verdict-symbol"')


async def _reported(web: httpx.AsyncClient, email: str, *, comment: str) -> str:
    await sign_up(web, email)
    (prediction,) = await checked_prediction_ids(web, ("scan.jpg", jpeg(seed=1), "image/jpeg"))
    body = {"claimed_label": "real", "comment": comment, "source_url": "https://example.org/x"}
    sent = await post_form(web, f"/predictions/{prediction}/reports", body)
    assert sent.status_code == 303
    return prediction


async def _signed_in_admin(web: httpx.AsyncClient, db_engine: AsyncEngine) -> None:
    await sign_up(web, "root@example.org")
    await promote_to_admin(db_engine, "root@example.org")
    await post_form(web, "/account/sign-out")
    await post_form(
        web,
        "/account/sign-in",
        {"email": "root@example.org", "password": "correct horse battery staple"},
    )


async def test_members_see_their_reports_with_status(web: httpx.AsyncClient) -> None:
    prediction = await _reported(web, "ada@example.org", comment="My own print.")
    page = await web.get("/reports")
    assert page.status_code == 200
    assert "Your reports" in page.text and "Waiting for review" in page.text
    assert f'href="/predictions/{prediction}"' in page.text
    assert 'href="https://example.org/x" rel="noopener noreferrer nofollow"' in page.text
    assert "Confirm: the verdict was wrong" not in page.text
    (verdict,) = BADGE.findall(page.text)
    assert LABELS[verdict] in page.text
    assert "No report has the status" in (await web.get("/reports?status=confirmed")).text


async def test_members_cannot_resolve_reports(web: httpx.AsyncClient) -> None:
    await _reported(web, "ada@example.org", comment="Mine.")
    (report_id,) = REPORT_ID.findall((await web.get("/reports")).text)
    response = await post_form(web, f"/reports/{report_id}/resolve", {"decision": "confirmed"})
    assert response.status_code == 403
    assert "Only admins can review reports." in response.text


async def test_admins_confirm_reports_from_the_queue(
    make_web: WebFactory, db_engine: AsyncEngine
) -> None:
    async with make_web() as member, make_web() as admin:
        await _reported(member, "ada@example.org", comment="Taken with my phone.")
        await _signed_in_admin(admin, db_engine)
        queue = await admin.get("/reports?status=open")
        assert "Report queue" in queue.text and "Taken with my phone." in queue.text
        (report_id,) = REPORT_ID.findall(queue.text)
        resolved = await post_form(
            admin,
            f"/reports/{report_id}/resolve",
            {"decision": "confirmed", "note": "The RAW file checks out."},
            headers=HTMX,
        )
        assert resolved.status_code == 200
        assert resolved.text.lstrip().startswith(f'<li id="report-{report_id}"')
        assert "Confirmed" in resolved.text and "The RAW file checks out." in resolved.text
        mine = await member.get("/reports")
    assert "Confirmed" in mine.text and "The RAW file checks out." in mine.text


async def test_admins_write_the_reporter_a_private_note_apart_from_the_public_one(
    make_web: WebFactory, db_engine: AsyncEngine
) -> None:
    async with make_web() as member, make_web() as admin:
        await _reported(member, "ada@example.org", comment="From my camera.")
        await _signed_in_admin(admin, db_engine)
        queue = await admin.get("/reports?status=open")
        assert "Private note to the reporter" in queue.text
        assert "Public note shown with matches" in queue.text
        (report_id,) = REPORT_ID.findall(queue.text)
        notes = {"note": "Thanks, your RAW file checks out.", "public_note": "RAW file seen."}
        resolved = await post_form(
            admin, f"/reports/{report_id}/resolve", {"decision": "confirmed"} | notes, headers=HTMX
        )
        assert resolved.status_code == 200, resolved.text
        known = await admin.get("/admin/known-images")
        mine = await member.get("/reports")
    assert "RAW file seen." in known.text and "your RAW file" not in known.text
    assert "Thanks, your RAW file checks out." in mine.text and "RAW file seen." in mine.text
