"""Bulk jobs in the web UI, on the API's real queue (the local Redis) with a real worker."""

from __future__ import annotations

import io
import json
import re
import uuid
import zipfile
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest

from services.api.config import ApiSettings
from services.api.jobs import webhooks
from services.api.jobs.worker import create_worker
from services.web.predictions.verdicts import LABELS
from tests.conftest import InferenceService
from tests.support import archives
from tests.support.images import jpeg, png
from tests.support.processes import closed_port_url
from tests.support.queues import own_queue
from tests.support.receivers import webhook_receiver
from tests.web.conftest import ApiAppFactory, WebFactory
from tests.web.pages import HTMX, csrf_token, post_form, sign_up

JPEG, PNG = "image/jpeg", "image/png"
JOB_URL = re.compile(r"^/bulk/([0-9a-f-]{36})$")
ROW = re.compile(r'<tr>\s*<th scope="row" class="item-file">([^<]+)</th>(.*?)</tr>', re.DOTALL)
POLLING = 'hx-trigger="every 2s"'
PROGRESS = HTMX | {"HX-Target": "job-progress"}
Worker = Callable[[], Awaitable[None]]
File = tuple[str, bytes, str]
TWO_IMAGES_AND_TEXT: list[File] = [
    ("harbour.jpg", jpeg(seed=101), JPEG),
    ("notes.txt", b"not an image at all", "text/plain"),
    ("portrait.png", png(seed=102), PNG),
]


@pytest.fixture
async def api_settings(api_settings: ApiSettings) -> AsyncIterator[ApiSettings]:
    """The API's settings with a job queue of this test's own on the local Redis."""
    async with own_queue(api_settings) as settings:
        yield settings


@pytest.fixture
def run_worker(api_settings: ApiSettings, inference_service: InferenceService) -> Worker:
    """Work the test's queue until it is empty, as a `deepcatcher worker` would."""

    async def run() -> None:
        transport = inference_service.transport()
        worker = create_worker(api_settings, inference_transport=transport, burst=True)
        try:
            await worker.async_run()
        finally:
            await worker.close()

    return run


async def start_job(
    web: httpx.AsyncClient, *files: File, callback_url: str = "", htmx: bool = False
) -> httpx.Response:
    """Submit the Bulk page's form with some files."""
    form = {"csrf_token": await csrf_token(web, "/bulk"), "callback_url": callback_url}
    return await web.post(
        "/bulk", data=form, files=[("files", f) for f in files], headers=HTMX if htmx else {}
    )


async def started_job(web: httpx.AsyncClient, *files: File, callback_url: str = "") -> str:
    """Start a job without JavaScript; the id of the job the form redirected to."""
    response = await start_job(web, *files, callback_url=callback_url)
    assert response.status_code == 303, response.text
    match = JOB_URL.match(response.headers["location"])
    assert match, response.headers["location"]
    return match.group(1)


def item_rows(page: str) -> dict[str, str]:
    """Each item row of a job's table by its file name."""
    return {name: cells for name, cells in ROW.findall(page)}


def zipped(*members: tuple[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


async def test_anonymous_visitors_are_asked_to_sign_in(web: httpx.AsyncClient) -> None:
    page = await web.get("/bulk")
    assert page.status_code == 200
    assert 'href="/bulk" aria-current="page"' in page.text  # the nav entry
    assert "Sign in to check images in bulk" in page.text
    assert 'href="/account/sign-in?next=/bulk"' in page.text
    assert 'name="files"' not in page.text
    job = await web.get(f"/bulk/{uuid.uuid4()}")
    assert job.status_code == 303 and job.headers["location"].startswith("/account/sign-in")


async def test_a_job_page_follows_progress_until_every_verdict_is_in(
    web: httpx.AsyncClient, run_worker: Worker
) -> None:
    await sign_up(web, "ada@example.org")
    created = await start_job(web, *TWO_IMAGES_AND_TEXT, htmx=True)
    assert created.status_code == 200
    match = JOB_URL.match(created.headers["HX-Redirect"])
    assert match
    job_url = match.group(0)

    waiting = await web.get(job_url)
    rows = item_rows(waiting.text)
    assert "Job started with 3 images" in waiting.text
    assert list(rows) == ["harbour.jpg", "notes.txt", "portrait.png"]
    assert "Waiting" in rows["harbour.jpg"] and "Waiting" in rows["portrait.png"]
    assert "Failed" in rows["notes.txt"] and "Not an image we can check" in rows["notes.txt"]
    assert POLLING in waiting.text and "1 of 3 images</strong> processed" in waiting.text
    still_waiting = await web.get(job_url, headers=PROGRESS)
    assert POLLING in still_waiting.text and 'id="job-announcer"' not in still_waiting.text

    await run_worker()
    progress = await web.get(job_url, headers=PROGRESS)

    assert progress.status_code == 200
    # Page and partial share a URL, so caches must tell them apart (the back button).
    for response in (waiting, progress):
        assert response.headers["vary"].startswith("HX-Request, HX-Target")
    assert progress.text.lstrip().startswith('<div id="job-progress"')
    assert "<html" not in progress.text and POLLING not in progress.text  # polling stops
    assert "3 of 3 images</strong> processed" in progress.text
    assert "<dt>Checked</dt><dd>2</dd>" in progress.text
    assert "<dt>Failed</dt><dd>1</dd>" in progress.text
    assert "The job is finished: 2 checked, 1 failed." in progress.text
    rows = item_rows(progress.text)
    for name in ("harbour.jpg", "portrait.png"):
        await _assert_verdict_matches_result_page(web, rows[name])
    assert "Open evidence" not in rows["notes.txt"]
    listing = await web.get("/bulk")
    assert job_url in listing.text and "Finished" in listing.text
    assert "3 images · 2 checked · 1 failed" in listing.text


async def _assert_verdict_matches_result_page(web: httpx.AsyncClient, row: str) -> None:
    """A checked row links to its result, with the verdict in the result page's words."""
    link = re.search(r'href="(/predictions/[0-9a-f-]{36})"', row)
    assert link and "Checked" in row, row
    result = await web.get(link.group(1))
    verdict = re.search(r"verdict-panel-(fake|real|uncertain)", result.text)
    assert result.status_code == 200 and verdict
    assert f'class="verdict verdict-{verdict.group(1)} small"' in row
    assert LABELS[verdict.group(1)] in row and "Score " in row


async def test_without_javascript_the_form_posts_and_the_secret_shows_once(
    web: httpx.AsyncClient, run_worker: Worker
) -> None:
    await sign_up(web, "ada@example.org")
    async with webhook_receiver() as receiver:
        job_id = await started_job(
            web, ("harbour.jpg", jpeg(seed=103), JPEG), callback_url=receiver.url
        )
        first = await web.get(f"/bulk/{job_id}")
        secret = re.search(r'id="callback-secret"[^>]*value="([0-9a-f]{64})"', first.text)
        assert secret and 'data-copy="#callback-secret"' in first.text
        assert "Refresh progress" in first.text and "Sent when the job finishes" in first.text
        await run_worker()
        again = await web.get(f"/bulk/{job_id}")

    assert "callback-secret" not in again.text and secret.group(1) not in again.text
    assert "Refresh progress" not in again.text and "Delivered" in again.text
    (delivery,) = receiver.requests
    assert json.loads(delivery.body)["job"]["id"] == job_id
    assert webhooks.verify(
        secret=secret.group(1),
        timestamp=int(delivery.headers["x-deepcatcher-timestamp"]),
        body=delivery.body,
        signature=delivery.headers["x-deepcatcher-signature"],
    )


async def test_zips_count_image_by_image(web: httpx.AsyncClient) -> None:
    await sign_up(web, "ada@example.org")
    archive = zipped(("trip/one.jpg", jpeg(seed=104)), ("two.png", png(seed=105)))
    job_id = await started_job(web, ("trip.zip", archive, "application/zip"))
    page = await web.get(f"/bulk/{job_id}")
    assert list(item_rows(page.text)) == ["one.jpg", "two.png"]


async def test_the_form_says_what_to_fix(web: httpx.AsyncClient) -> None:
    await sign_up(web, "ada@example.org")
    token = await csrf_token(web, "/bulk")
    no_files = await web.post("/bulk", data={"csrf_token": token}, headers=HTMX)
    bad_callback = await start_job(
        web, ("a.jpg", jpeg(seed=106), JPEG), callback_url="ftp://example.org/hook"
    )
    assert no_files.status_code == 422
    assert no_files.text.lstrip().startswith('<div id="bulk-problem"')
    assert "Choose at least one image or zip archive." in no_files.text
    assert bad_callback.status_code == 422 and "public http:// or https://" in bad_callback.text
    assert 'value="ftp://example.org/hook"' in bad_callback.text  # what was typed stays
    assert "No jobs yet" in bad_callback.text


async def test_deleting_a_job_keeps_its_checks(web: httpx.AsyncClient, run_worker: Worker) -> None:
    await sign_up(web, "ada@example.org")
    job_id = await started_job(web, ("harbour.jpg", jpeg(seed=107), JPEG))
    await run_worker()
    page = await web.get(f"/bulk/{job_id}")
    assert f'action="/bulk/{job_id}/delete"' in page.text and "Delete this job?" in page.text

    deleted = await post_form(web, f"/bulk/{job_id}/delete")

    assert deleted.status_code == 303 and deleted.headers["location"] == "/bulk"
    listing = await web.get("/bulk")
    assert "The job was deleted." in listing.text and "No jobs yet" in listing.text
    assert (await web.get(f"/bulk/{job_id}")).status_code == 404
    assert "harbour.jpg" in (await web.get("/predictions")).text


async def test_other_people_cannot_see_or_delete_a_job(
    web: httpx.AsyncClient, make_web: WebFactory
) -> None:
    await sign_up(web, "ada@example.org")
    job_id = await started_job(web, ("harbour.jpg", jpeg(seed=108), JPEG))
    async with make_web() as stranger:
        await sign_up(stranger, "eve@example.org")
        page = await stranger.get(f"/bulk/{job_id}")
        progress = await stranger.get(f"/bulk/{job_id}", headers=PROGRESS)
        delete = await post_form(stranger, f"/bulk/{job_id}/delete")
        listing = await stranger.get("/bulk")
    assert page.status_code == 404 and "Page not found" in page.text
    assert progress.status_code == 404 and "flash-error" in progress.text
    assert delete.status_code == 404
    assert job_id not in listing.text and "No jobs yet" in listing.text
    assert (await web.get(f"/bulk/{job_id}")).status_code == 200


async def test_a_down_queue_gets_a_friendly_message_and_no_job(
    make_api_app: ApiAppFactory, make_web: WebFactory
) -> None:
    down = closed_port_url().replace("http://", "redis://")
    async with (
        make_api_app(queue_url=down) as api,
        make_web(api_transport=httpx.ASGITransport(app=api)) as web,
    ):
        await sign_up(web, "ada@example.org")
        with_js = await start_job(web, ("harbour.jpg", jpeg(seed=109), JPEG), htmx=True)
        without_js = await start_job(web, ("harbour.jpg", jpeg(seed=109), JPEG))
        listing = await web.get("/bulk")
    assert with_js.status_code == 503
    assert with_js.text.lstrip().startswith('<div id="bulk-problem"')
    assert "Bulk checking is unavailable right now" in with_js.text
    assert without_js.status_code == 503 and "Traceback" not in without_js.text
    assert "Bulk checking is unavailable right now" in without_js.text
    assert 'name="files"' in without_js.text  # the form, ready to try again
    assert "No jobs yet" in listing.text


async def test_broken_zip_entries_are_failed_rows_and_a_bomb_is_explained(
    web: httpx.AsyncClient,
) -> None:
    await sign_up(web, "ada@example.org")
    archive = archives.zipped(
        ("harbour.jpg", jpeg(seed=110)), ("locked.jpg", jpeg(seed=111)), ("torn.png", png(seed=112))
    )
    archive = archives.with_corrupt_deflate(
        archives.with_encrypted(archive, "locked.jpg"), "torn.png"
    )
    job_id = await started_job(web, ("trip.zip", archive, "application/zip"))
    rows = item_rows((await web.get(f"/bulk/{job_id}")).text)
    bomb = archives.zeros_bomb(entries=50, entry_bytes=1024 * 1024)
    refused = await start_job(web, ("bomb.zip", bomb, "application/zip"))
    assert list(rows) == ["harbour.jpg", "locked.jpg", "torn.png"]
    assert "Waiting" in rows["harbour.jpg"]
    assert "Failed" in rows["locked.jpg"] and "encrypted" in rows["locked.jpg"]
    assert "Failed" in rows["torn.png"] and "corrupt" in rows["torn.png"]
    assert refused.status_code == 413 and "unavailable" not in refused.text
    assert "bomb.zip" in refused.text and "times its size" in refused.text
