"""Real-browser journeys through the three running services, with screenshots of every page.

Screenshots land in tests/artifacts/web/ at desktop and at 375 px phone width.
"""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest
from playwright.async_api import Browser, FilePayload, Page, Route, expect
from sqlalchemy import update

from services.api.db.engine import create_engine
from services.api.jobs.worker import create_worker
from services.api.users.models import Role, User
from tests.support.api import PASSWORD
from tests.support.images import jpeg, png
from tests.support.receivers import webhook_receiver
from tests.web.browser.actions import drop_files, paste_files, register, sign_in
from tests.web.browser.conftest import DESKTOP, screenshot
from tests.web.browser.stack import Stack

pytestmark = pytest.mark.browser
VERDICT = re.compile("Likely AI-generated|No AI traces found|Uncertain")


async def test_member_checks_reports_deletes_and_manages_keys(page: Page) -> None:
    await page.goto("/")
    await expect(page.get_by_role("heading", name="Was this image made by AI?")).to_be_visible()
    await screenshot(page, "01-home")

    await page.goto("/account/register")
    await screenshot(page, "02-register")
    await register(page, "ada@example.org")

    await drop_files(
        page,
        [
            ("harbour.jpg", jpeg(seed=11, width=640, height=420), "image/jpeg"),
            ("portrait.png", png(seed=12, width=360, height=480), "image/png"),
        ],
    )
    cards = page.locator("#check-results .result-card")
    await expect(cards.locator(".verdict")).to_have_count(2, timeout=60_000)
    await expect(cards.filter(has_text="harbour.jpg").locator(".verdict")).to_have_text(VERDICT)
    await expect(cards.filter(has_text="portrait.png").locator(".verdict")).to_have_text(VERDICT)
    await screenshot(page, "03-results")

    await cards.filter(has_text="harbour.jpg").get_by_role("link", name="Open evidence").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(VERDICT)
    views = ("All views together", "Semantic view", "Low-level view")
    for title in (*views, "Provenance", "Frequency spectrum"):
        await expect(page.get_by_role("heading", name=title)).to_be_visible()
    await expect(page.get_by_alt_text(re.compile("frequency spectrum"))).to_be_visible()
    await expect(page.locator(".heatmap")).to_be_hidden()
    await page.get_by_text("Show where the detector looked").click()
    await expect(page.locator(".heatmap")).to_be_visible()
    await screenshot(page, "04-result")

    await page.get_by_text("Report a wrong result").click()
    await page.get_by_label("It is a real photo").check()
    await page.get_by_label("Why do you think so?").fill("I took this photo at the harbour myself.")
    await page.get_by_label("Where does the image come from?").fill("https://example.org/harbour")
    await screenshot(page, "05-report-form")
    await page.get_by_role("button", name="Send report").click()
    await expect(page.get_by_role("status").filter(has_text="Thank you")).to_be_visible()

    await page.get_by_role("link", name="History", exact=True).click()
    items = page.locator(".history-item")
    await expect(items).to_have_count(2)
    await expect(items.filter(has_text="harbour.jpg")).to_be_visible()
    await expect(items.filter(has_text="portrait.png")).to_be_visible()
    thumbnails_loaded = await page.locator(".history-thumb img").evaluate_all(
        "images => images.every(image => image.complete && image.naturalWidth > 0)"
    )
    assert thumbnails_loaded
    await screenshot(page, "06-history")

    harbour_verdict = await items.filter(has_text="harbour.jpg").locator(".verdict").inner_text()
    await page.locator(".segmented label", has_text=harbour_verdict.strip("!✓? \n")).click()
    await expect(page).to_have_url(re.compile(r"verdict=(fake|real|uncertain)"))
    await expect(items.filter(has_text="harbour.jpg")).to_be_visible()
    await page.locator(".segmented label", has_text="All").click()
    await expect(items).to_have_count(2)

    portrait = items.filter(has_text="portrait.png")
    await portrait.get_by_text("Delete…").click()
    await portrait.get_by_role("button", name="Delete", exact=True).click()
    await expect(items).to_have_count(1)
    await expect(page.locator(".flash-success")).to_contain_text("deleted")
    await page.reload()
    await expect(items).to_have_count(1)
    await expect(items).to_contain_text("harbour.jpg")

    await page.get_by_role("link", name="Reports").click()
    await expect(page.locator(".report-item")).to_contain_text("harbour.jpg")
    await expect(page.locator(".report-item .status")).to_have_text("Waiting for review")
    await screenshot(page, "07-reports")

    await page.get_by_role("link", name="ada@example.org").click()
    await page.get_by_label("Name of a new key").fill("Newsroom CMS")
    await page.get_by_role("button", name="Create key").click()
    new_key = page.get_by_label("The new API key")
    await expect(new_key).to_have_value(re.compile(r"^dck_"))
    await expect(page.locator("#curl-example")).to_contain_text(await new_key.input_value())
    await screenshot(page, "08-account-new-key")
    await page.get_by_text("Revoke…").click()
    await page.get_by_role("button", name="Revoke", exact=True).click()
    await expect(page.locator(".key-item .status")).to_have_text("Revoked")
    await expect(page.get_by_label("The new API key")).to_have_count(0)
    await screenshot(page, "09-account-revoked")

    await page.get_by_role("link", name="About the detector").first.click()
    await expect(page.get_by_role("heading", name="What “Uncertain” means")).to_be_visible()
    await screenshot(page, "10-about")

    await page.get_by_role("button", name="Sign out").click()
    await expect(page.locator(".flash")).to_contain_text("signed out")
    await expect(page.get_by_role("banner").get_by_role("link", name="Sign in")).to_be_visible()
    await page.goto("/predictions")
    await expect(page).to_have_url(re.compile(r"/account/sign-in\?next=/predictions"))
    await screenshot(page, "11-sign-in")


async def test_admin_confirms_a_report(page: Page, stack: Stack) -> None:
    email = "grace@example.org"
    await _report_through_the_api(stack, email=email)
    await _make_admin(stack, email=email)
    await sign_in(page, email)

    await page.get_by_role("link", name="Reports").click()
    await expect(page.get_by_role("heading", name="Report queue")).to_be_visible()
    report = page.locator(".report-item").filter(has_text="scan.jpg")
    await report.get_by_label("Private note to the reporter").fill("The RAW file checks out.")
    await report.get_by_label("Public note shown with matches").fill("A camera original.")
    await screenshot(page, "12-admin-queue")
    await report.get_by_role("button", name="Confirm: the verdict was wrong").click()
    await expect(report.locator(".status")).to_have_text("Confirmed")
    await expect(report).to_contain_text("The RAW file checks out.")
    await expect(report).to_contain_text("A camera original.")


async def test_anonymous_visitor_pastes_an_image_and_reads_the_evidence(page: Page) -> None:
    await page.goto("/")
    held = asyncio.Event()
    await page.route("**/check", lambda route: _hold(route, until=held))
    await paste_files(page, [("clipboard.png", png(seed=21, width=300, height=220), "image/png")])
    pending = page.locator("#check-results .result-pending")
    await expect(pending.locator(".pending-status")).to_have_text(re.compile("Uploading|Analysing"))
    await expect(pending.locator("progress")).to_be_visible()
    await screenshot(page, "13-anonymous-uploading")
    held.set()
    card = page.locator("#check-results .result-card")
    await expect(card.locator(".verdict")).to_have_text(VERDICT, timeout=60_000)
    await expect(card).to_contain_text("Not saved")
    await card.get_by_text("Show evidence").click()
    await expect(card.get_by_role("heading", name="Semantic view")).to_be_visible()
    await expect(card.get_by_role("img", name=re.compile("checked image"))).to_have_count(2)
    await screenshot(page, "14-anonymous-evidence")


async def test_core_flows_work_with_javascript_off(browser: Browser, stack: Stack) -> None:
    context = await browser.new_context(
        base_url=stack.web_url, viewport=DESKTOP, java_script_enabled=False
    )
    page = await context.new_page()
    try:
        await register(page, "no-script@example.org")
        picture = FilePayload(name="plain.jpg", mimeType="image/jpeg", buffer=jpeg(seed=31))
        await page.get_by_label("Choose images").set_input_files([picture])
        await page.get_by_role("button", name="Check", exact=True).click()
        await expect(page.locator(".result-card .verdict")).to_have_text(VERDICT)
        await screenshot(page, "15-no-javascript-results", javascript=False)
        await page.get_by_role("link", name="Open evidence").click()
        await page.get_by_text("Report a wrong result").click()
        await page.get_by_label("It is AI-generated or manipulated").check()
        await page.get_by_role("button", name="Send report").click()
        await expect(page.locator(".flash-success")).to_contain_text("report was sent")
        await page.get_by_text("Delete…").click()
        await page.get_by_role("button", name="Delete", exact=True).click()
        await expect(page.locator(".flash-success")).to_contain_text("deleted")
        await expect(page.get_by_role("heading", name="No checks yet")).to_be_visible()
    finally:
        await context.close()


async def test_member_runs_a_bulk_job_and_deletes_it(page: Page, stack: Stack) -> None:
    await register(page, "bulk@example.org")
    await page.get_by_role("link", name="Bulk", exact=True).click()
    await expect(page.get_by_role("heading", name="No jobs yet")).to_be_visible()
    await screenshot(page, "18-bulk")

    files = [
        FilePayload(name="harbour.jpg", mimeType="image/jpeg", buffer=jpeg(seed=51)),
        FilePayload(name="notes.txt", mimeType="text/plain", buffer=b"not an image"),
        FilePayload(name="portrait.png", mimeType="image/png", buffer=png(seed=52)),
    ]
    async with webhook_receiver() as receiver:
        await page.get_by_label("Images or zip archives").set_input_files(files)
        await page.get_by_label("Callback URL").fill(receiver.url)
        await page.get_by_role("button", name="Start job").click()
        await expect(page.get_by_role("heading", name="Bulk job")).to_be_visible()
        await expect(page.get_by_label("The callback signing secret")).to_have_value(
            re.compile("^[0-9a-f]{64}$")
        )
        rows = page.locator(".job-items tbody tr")
        await expect(rows.filter(has_text="harbour.jpg")).to_contain_text("Waiting")
        await expect(rows.filter(has_text="notes.txt")).to_contain_text("Not an image")
        await screenshot(page, "19-bulk-job-waiting")

        worker = create_worker(stack.worker_settings(), burst=True)
        try:
            await worker.async_run()
        finally:
            await worker.close()
        # No reload: the page polls its progress until the job is finished.
        await expect(page.locator(".job-summary .status")).to_have_text("Finished")
        await expect(page.locator("#job-announcer")).to_contain_text("The job is finished")
        await expect(rows.locator(".verdict")).to_have_text([VERDICT, VERDICT])
        await screenshot(page, "20-bulk-job-finished")
    assert len(receiver.requests) == 1

    await rows.filter(has_text="harbour.jpg").get_by_role("link", name="Open evidence").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(VERDICT)
    await page.go_back()  # the job page again, not the partial it last polled
    await expect(page.get_by_role("heading", name="Bulk job")).to_be_visible()
    await page.get_by_role("link", name="← Bulk").click()
    job = page.locator(".job-item")
    await expect(job).to_contain_text("3 images · 2 checked · 1 failed")
    await expect(job.locator(".status")).to_have_text("Finished")
    await screenshot(page, "21-bulk-jobs")
    await job.get_by_role("link").click()
    await page.get_by_text("Delete…").click()
    await page.get_by_role("button", name="Delete job").click()
    await expect(page.locator(".flash-success")).to_contain_text("The job was deleted")
    await expect(page.get_by_role("heading", name="No jobs yet")).to_be_visible()


async def test_error_pages_are_friendly(page: Page, stack: Stack) -> None:
    response = await page.goto("/predictions/00000000-0000-0000-0000-000000000000/nothing")
    assert response is not None and response.status == 404
    await expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    await screenshot(page, "16-not-found")

    await stack.stop("inference")  # last test of the module: the stack goes down after it
    response = await page.goto("/about")
    assert response is not None and response.status == 503
    await expect(page.get_by_role("heading", name="Temporarily unavailable")).to_be_visible()
    assert "Traceback" not in await page.content()
    await screenshot(page, "17-service-unavailable")


async def _hold(route: Route, *, until: asyncio.Event) -> None:
    """Keep an upload in flight until the test has looked at its progress."""
    await until.wait()
    await route.continue_()


async def _report_through_the_api(stack: Stack, *, email: str) -> None:
    """Someone checked an image and reported it, straight through the API."""
    async with httpx.AsyncClient(base_url=stack.services["api"].url, timeout=30) as api:
        await api.post("/v1/auth/register", json={"email": email, "password": PASSWORD})
        token = (
            await api.post("/v1/auth/token", data={"username": email, "password": PASSWORD})
        ).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        files = [("files", ("scan.jpg", jpeg(seed=41), "image/jpeg"))]
        checked = (await api.post("/v1/predictions", files=files, headers=headers)).json()
        prediction_id = checked["items"][0]["prediction"]["id"]
        report = {"claimed_label": "real", "comment": "Scanned from my own print."}
        answer = await api.post(
            f"/v1/predictions/{prediction_id}/reports", json=report, headers=headers
        )
        assert answer.status_code == 201, answer.text


async def _make_admin(stack: Stack, *, email: str) -> None:
    engine = create_engine(url=stack.database_url)
    async with engine.begin() as connection:
        await connection.execute(update(User).where(User.email == email).values(role=Role.admin))
    await engine.dispose()
