"""Bulk jobs on the real queue (Redis) with in-process workers and the real inference service."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import time
import uuid
import zipfile
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from services.api.config import ApiSettings
from services.api.jobs import processing, repository, webhooks
from services.api.jobs.models import Job
from services.api.jobs.worker import build_deps, create_worker
from tests.conftest import ApiFactory
from tests.support import archives, images
from tests.support.api import JPEG, assert_problem, count_rows, promote_to_admin, sign_up
from tests.support.links import link_server, page
from tests.support.processes import closed_port_url
from tests.support.queues import own_queue
from tests.support.receivers import webhook_receiver
from tests.support.transports import RecordingTransport


@pytest.fixture
async def queued(api_settings: ApiSettings) -> AsyncIterator[ApiSettings]:
    """Settings with a queue of this test's own on the local Redis, removed afterwards."""
    async with own_queue(api_settings) as settings:
        yield settings


async def run_workers(settings: ApiSettings, transport: httpx.AsyncBaseTransport) -> None:
    """Work the queue until it is empty, as a `deepcatcher worker` would."""
    worker = create_worker(settings, inference_transport=transport, burst=True)
    try:
        await worker.async_run()
    finally:
        await worker.close()


def zipped(*members: tuple[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members:
            archive.writestr(name, data)
        archive.writestr("__MACOSX/._a.jpg", b"resource fork")
    return buffer.getvalue()


async def start_job(
    client: httpx.AsyncClient, headers: dict[str, str], *files: tuple[str, bytes, str], **form: str
) -> dict[str, Any]:
    response = await client.post(
        "/v1/jobs", files=[("files", f) for f in files], data=form, headers=headers
    )
    assert response.status_code == 202, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_job_checks_every_image_once_into_history(
    make_api: ApiFactory,
    queued: ApiSettings,
    inference_transport: RecordingTransport,
    db_engine: AsyncEngine,
) -> None:
    archive = zipped(("inside/one.jpg", images.jpeg(seed=31)), ("two.png", images.png(seed=32)))
    async with make_api(queue_name=queued.queue_name) as client:
        headers = await sign_up(client, "ada@example.org")
        job = await start_job(
            client,
            headers,
            ("a.jpg", images.jpeg(seed=33), JPEG),
            ("notes.txt", b"not an image at all", "text/plain"),
            ("batch.zip", archive, "application/zip"),
        )
        assert (job["status"], job["total"], job["pending"], job["failed"]) == ("queued", 4, 3, 1)
        assert [item["filename"] for item in job["items"]] == [
            "a.jpg",
            "notes.txt",
            "one.jpg",
            "two.png",
        ]
        assert job["items"][1]["error"]["status"] == 415
        await run_workers(queued, inference_transport)
        done = (await client.get(f"/v1/jobs/{job['id']}", headers=headers)).json()
        history = (await client.get("/v1/predictions", headers=headers)).json()["items"]
    assert (done["status"], done["done"], done["failed"], done["pending"]) == ("completed", 3, 1, 0)
    assert done["finished_at"] is not None
    assert {item["verdict"] for item in done["items"] if item["status"] == "done"} <= {
        "real",
        "fake",
        "uncertain",
    }
    assert sorted(p["id"] for p in history) == sorted(
        item["prediction_id"] for item in done["items"] if item["prediction_id"]
    )
    assert await count_rows(db_engine, "predictions") == 3


async def test_a_redelivered_or_raced_item_is_saved_once(
    make_api: ApiFactory,
    queued: ApiSettings,
    inference_transport: RecordingTransport,
    db_engine: AsyncEngine,
) -> None:
    async with make_api(queue_name=queued.queue_name) as client:
        headers = await sign_up(client, "bob@example.org")
        job = await start_job(client, headers, ("a.jpg", images.jpeg(seed=41), JPEG))
    deps = build_deps(queued, inference_transport=inference_transport)
    item_id = await _only_item_id(db_engine, job["id"])
    outcomes = await asyncio.gather(
        *(processing.check_item(deps=deps, item_id=item_id, last_try=False) for _ in range(3))
    )
    again = await processing.check_item(deps=deps, item_id=item_id, last_try=False)
    await deps.engine.dispose()
    assert sorted(outcomes).count("done") == 1
    assert again == "skipped"
    assert await count_rows(db_engine, "predictions") == 1


GAVE_UP = {"type": "about:blank", "title": "Internal Server Error", "status": 500}


async def test_a_job_whose_worker_died_before_completing_it_is_completed(
    make_api: ApiFactory, queued: ApiSettings, inference_transport: RecordingTransport
) -> None:
    async with make_api(queue_name=queued.queue_name) as client:
        headers = await sign_up(client, "cid@example.org")
        job = await start_job(client, headers, ("a.jpg", images.jpeg(seed=42), JPEG))
        deps = build_deps(queued, inference_transport=inference_transport)
        item_id = await _only_item_id(deps.engine, job["id"])
        # The item's outcome is committed; the worker is killed before it marks the job.
        async with deps.sessions() as session:
            await repository.finish_item(
                session=session, item_id=item_id, prediction_id=None, error=GAVE_UP
            )
            await session.commit()
        stuck = (await client.get(f"/v1/jobs/{job['id']}", headers=headers)).json()
        await run_workers(queued, inference_transport)
        done = (await client.get(f"/v1/jobs/{job['id']}", headers=headers)).json()
    await deps.engine.dispose()
    assert stuck["status"] != "completed" and stuck["pending"] == 0
    assert done["status"] == "completed" and done["finished_at"] is not None


async def _only_item_id(engine: AsyncEngine, job_id: str) -> uuid.UUID:
    from sqlalchemy import text

    async with engine.connect() as connection:
        row = (await connection.execute(text("SELECT id FROM job_items"))).scalar_one()
    return row if isinstance(row, uuid.UUID) else uuid.UUID(str(row))


async def test_signed_webhook_is_retried_until_delivered(
    make_api: ApiFactory, queued: ApiSettings, inference_transport: RecordingTransport
) -> None:
    async with (
        webhook_receiver(failures=1) as receiver,
        make_api(queue_name=queued.queue_name, webhook_allow_private_hosts=True) as client,
    ):
        headers = await sign_up(client, "cat@example.org")
        job = await start_job(
            client, headers, ("a.jpg", images.jpeg(seed=51), JPEG), callback_url=receiver.url
        )
        secret = job["callback_secret"]
        assert len(secret) == 64
        await run_workers(queued, inference_transport)
        state = (await client.get(f"/v1/jobs/{job['id']}", headers=headers)).json()
    assert len(receiver.requests) == 2
    delivered = receiver.requests[-1]
    timestamp = int(delivered.headers["x-deepcatcher-timestamp"])
    assert webhooks.verify(
        secret=secret,
        timestamp=timestamp,
        body=delivered.body,
        signature=delivered.headers["x-deepcatcher-signature"],
    )
    assert not webhooks.verify(
        secret=secret,
        timestamp=timestamp,
        body=delivered.body + b" ",
        signature=delivered.headers["x-deepcatcher-signature"],
    )
    payload = json.loads(delivered.body)
    assert (payload["event"], payload["job"]["id"], payload["job"]["done"]) == (
        "job.completed",
        job["id"],
        1,
    )
    assert state["webhook"]["attempts"] == 2
    assert state["webhook"]["delivered_at"] is not None
    assert "callback_secret" not in state


async def test_queue_down_is_a_503_and_writes_nothing(
    make_api: ApiFactory, db_engine: AsyncEngine
) -> None:
    down = closed_port_url().replace("http://", "redis://")
    async with make_api(queue_url=down) as client:
        headers = await sign_up(client, "dan@example.org")
        response = await client.post(
            "/v1/jobs", files=[("files", ("a.jpg", images.jpeg(seed=61), JPEG))], headers=headers
        )
    assert_problem(response, 503)
    assert response.headers["Retry-After"]
    assert await count_rows(db_engine, "jobs") == 0
    assert await count_rows(db_engine, "images") == 0


async def test_callbacks_to_private_addresses_are_refused(
    make_api: ApiFactory, queued: ApiSettings
) -> None:
    async with make_api(queue_name=queued.queue_name) as client:
        headers = await sign_up(client, "eve@example.org")
        for url in ("http://127.0.0.1:9/hook", "http://10.0.0.1/hook", "ftp://example.org/x"):
            response = await client.post(
                "/v1/jobs",
                files=[("files", ("a.jpg", images.jpeg(seed=71), JPEG))],
                data={"callback_url": url},
                headers=headers,
            )
            assert_problem(response, 422)


async def test_jobs_are_private_and_deleting_keeps_history(
    make_api: ApiFactory, queued: ApiSettings, inference_transport: RecordingTransport
) -> None:
    async with make_api(queue_name=queued.queue_name) as client:
        owner = await sign_up(client, "fay@example.org")
        other = await sign_up(client, "gus@example.org")
        job = await start_job(client, owner, ("a.jpg", images.jpeg(seed=81), JPEG))
        await run_workers(queued, inference_transport)
        assert_problem(await client.get(f"/v1/jobs/{job['id']}", headers=other), 404)
        assert_problem(await client.delete(f"/v1/jobs/{job['id']}", headers=other), 404)
        assert (await client.get("/v1/jobs", headers=other)).json()["items"] == []
        listed = (await client.get("/v1/jobs", headers=owner)).json()["items"]
        assert [j["id"] for j in listed] == [job["id"]]
        assert (await client.delete(f"/v1/jobs/{job['id']}", headers=owner)).status_code == 204
        assert_problem(await client.get(f"/v1/jobs/{job['id']}", headers=owner), 404)
        history = (await client.get("/v1/predictions", headers=owner)).json()["items"]
        assert len(history) == 1
        image = await client.get(history[0]["image_url"], headers=owner)
        assert image.content == images.jpeg(seed=81)


def stored_files(settings: ApiSettings) -> list[Path]:
    return [p for p in Path(settings.image_dir).rglob("*") if p.is_file()]


async def test_unreadable_zip_entries_are_items_of_their_own(
    make_api: ApiFactory,
    queued: ApiSettings,
    inference_transport: RecordingTransport,
    tmp_path: Path,
) -> None:
    photo = images.jpeg(seed=91)
    archive = archives.zipped(
        ("good.jpg", photo),
        ("locked.jpg", images.jpeg(seed=92)),
        ("broken.jpg", images.png(seed=93)),
        ("lying.jpg", images.png(seed=94)),
        ("nested.zip", archives.zipped(("inner.jpg", images.jpeg(seed=95)))),
        ("../../escape.jpg", images.jpeg(seed=96)),
    )
    archive = archives.with_encrypted(archive, "locked.jpg")
    archive = archives.with_corrupt_deflate(archive, "broken.jpg")
    archive = archives.with_lying_size(archive, "lying.jpg", declared=100)
    async with make_api(queue_name=queued.queue_name) as client:
        headers = await sign_up(client, "hal@example.org")
        job = await start_job(
            client,
            headers,
            ("hostile.zip", archive, "application/zip"),
            ("unreadable.zip", archives.with_broken_directory(archive), "application/zip"),
            ("future.zip", archives.with_unknown_version(archive, "good.jpg"), "application/zip"),
        )
        await run_workers(queued, inference_transport)
        done = (await client.get(f"/v1/jobs/{job['id']}", headers=headers)).json()
    items = {item["filename"]: item for item in done["items"]}
    assert list(items) == [
        "good.jpg",
        "locked.jpg",
        "broken.jpg",
        "lying.jpg",
        "nested.zip",
        "escape.jpg",
        "unreadable.zip",
        "future.zip",
    ]
    assert (items["good.jpg"]["status"], items["escape.jpg"]["status"]) == ("done", "done")
    for name in ("locked.jpg", "broken.jpg", "lying.jpg", "unreadable.zip", "future.zip"):
        assert items[name]["error"]["status"] == 422, items[name]
    assert "encrypted" in items["locked.jpg"]["error"]["detail"]
    assert items["nested.zip"]["error"]["status"] == 415  # archives inside archives stay shut
    assert (done["status"], done["done"], done["failed"]) == ("completed", 2, 6)
    assert not list(tmp_path.parent.rglob("escape.jpg"))


async def test_a_zip_bomb_is_refused_whole_and_stores_nothing(
    make_api: ApiFactory, queued: ApiSettings, db_engine: AsyncEngine
) -> None:
    bomb = archives.zeros_bomb(entries=100, entry_bytes=1024 * 1024)
    async with make_api(queue_name=queued.queue_name) as client:
        headers = await sign_up(client, "ida@example.org")
        response = await client.post(
            "/v1/jobs", files=[("files", ("bomb.zip", bomb, "application/zip"))], headers=headers
        )
    body = assert_problem(response, 413)
    assert "bomb.zip" in body["detail"] and "times its size" in body["detail"]
    assert await count_rows(db_engine, "jobs") == 0
    assert await count_rows(db_engine, "images") == 0
    assert stored_files(queued) == []


async def test_the_zips_of_one_job_share_one_expansion_budget(
    make_api: ApiFactory, queued: ApiSettings, db_engine: AsyncEngine
) -> None:
    photos = [(f"{seed}.png", images.png(seed=seed)) for seed in range(3)]
    stored = archives.zipped(*photos, compression=zipfile.ZIP_STORED)
    budget = sum(len(data) for _, data in photos) * 3 // 2
    async with make_api(queue_name=queued.queue_name, max_job_expanded_bytes=budget) as client:
        headers = await sign_up(client, "jon@example.org")
        one = await start_job(client, headers, ("one.zip", stored, "application/zip"))
        both = await client.post(
            "/v1/jobs",
            files=[("files", ("a.zip", stored, "application/zip"))] * 2,
            headers=headers,
        )
    assert one["total"] == 3
    assert f"at most {budget} bytes" in assert_problem(both, 413)["detail"]
    assert await count_rows(db_engine, "jobs") == 1


async def test_too_many_entries_are_refused_before_anything_is_stored(
    make_api: ApiFactory, queued: ApiSettings, db_engine: AsyncEngine
) -> None:
    async with make_api(queue_name=queued.queue_name, max_job_items=5) as client:
        headers = await sign_up(client, "kim@example.org")
        for archive in (archives.many_empty_entries(6), archives.many_empty_entries(20_000)):
            response = await client.post(
                "/v1/jobs",
                files=[("files", ("many.zip", archive, "application/zip"))],
                headers=headers,
            )
            assert "at most 5 images" in assert_problem(response, 422)["detail"]
    assert await count_rows(db_engine, "jobs") == 0
    assert stored_files(queued) == []


MALFORMED_CALLBACKS = [
    "http://example.org:99999/hook",
    "http://example.org:port/hook",
    "http://[2001:db8::1/hook",
    "http://" + "é" * 70 + ".example/hook",
    "http://☃.example/hook",
]
NOT_UNICAST_CALLBACKS = [
    "http://224.0.0.1/hook",
    "http://239.255.255.250:1900/hook",
    "http://240.0.0.1/hook",
    "http://0.0.0.1/hook",
    "http://255.255.255.255/hook",
    "http://[ff02::1]/hook",
    "http://[fec0::1]/hook",
    "http://[fe80::1]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://0x7f.1/hook",
]


async def test_malformed_or_non_unicast_callbacks_are_a_422_and_store_nothing(
    make_api: ApiFactory, queued: ApiSettings, db_engine: AsyncEngine
) -> None:
    async with make_api(queue_name=queued.queue_name) as client:
        headers = await sign_up(client, "lea@example.org")
        for url in MALFORMED_CALLBACKS + NOT_UNICAST_CALLBACKS:
            response = await client.post(
                "/v1/jobs",
                files=[("files", ("a.jpg", images.jpeg(seed=72), JPEG))],
                data={"callback_url": url},
                headers=headers,
            )
            body = assert_problem(response, 422)
            assert body["type"].endswith("unsafe-callback-url"), url
    assert await count_rows(db_engine, "jobs") == 0
    assert stored_files(queued) == []


async def test_the_worker_refuses_a_multicast_callback_without_connecting(
    make_api: ApiFactory, queued: ApiSettings, inference_transport: RecordingTransport
) -> None:
    async with make_api(queue_name=queued.queue_name, webhook_allow_private_hosts=True) as client:
        headers = await sign_up(client, "max@example.org")
        job = await start_job(
            client,
            headers,
            ("a.txt", b"not an image", "text/plain"),
            callback_url="http://224.0.0.1:9/hook",
        )
        strict = queued.model_copy(
            update={"webhook_allow_private_hosts": False, "webhook_timeout_s": 1.0}
        )
        deps = build_deps(strict, inference_transport=inference_transport)
        with pytest.raises(webhooks.WebhookFailed, match="private or local address"):
            await processing.deliver_webhook(deps=deps, job_id=uuid.UUID(job["id"]))
        await deps.engine.dispose()
        state = (await client.get(f"/v1/jobs/{job['id']}", headers=headers)).json()
    assert state["webhook"]["delivered_at"] is None
    assert "private or local address" in state["webhook"]["last_error"]


async def test_a_job_without_a_signing_secret_sends_no_callback(
    make_api: ApiFactory,
    queued: ApiSettings,
    inference_transport: RecordingTransport,
    db_engine: AsyncEngine,
) -> None:
    async with (
        webhook_receiver() as receiver,
        make_api(queue_name=queued.queue_name, webhook_allow_private_hosts=True) as client,
    ):
        headers = await sign_up(client, "nia@example.org")
        job = await start_job(
            client, headers, ("a.txt", b"not an image", "text/plain"), callback_url=receiver.url
        )
        async with db_engine.begin() as connection:  # a row written before secrets existed
            await connection.execute(update(Job).values(callback_secret=None))
        deps = build_deps(queued, inference_transport=inference_transport)
        with pytest.raises(webhooks.WebhookFailed, match="signing secret"):
            await processing.deliver_webhook(deps=deps, job_id=uuid.UUID(job["id"]))
        await deps.engine.dispose()
        state = (await client.get(f"/v1/jobs/{job['id']}", headers=headers)).json()
    assert receiver.requests == []
    assert "signing secret" in state["webhook"]["last_error"]


@pytest.mark.parametrize("signature", ["sha256=" + "é" * 64, "sha256=\u2603", ""])
def test_the_reference_check_rejects_a_malformed_signature(signature: str) -> None:
    now = int(time.time())
    assert not webhooks.verify(
        secret=webhooks.new_secret(), timestamp=now, body=b"{}", signature=signature
    )


def test_nothing_is_signed_with_an_empty_secret() -> None:
    with pytest.raises(ValueError, match="secret"):
        webhooks.sign(secret="", timestamp=int(time.time()), body=b"{}")


async def test_a_job_item_copying_a_known_ai_image_is_decided_by_it(
    make_api: ApiFactory,
    queued: ApiSettings,
    inference_transport: RecordingTransport,
    db_engine: AsyncEngine,
) -> None:
    known = images.encode(images.scene(seed=34), format="PNG")
    copy = images.encode(images.halved(images.scene(seed=34)), format="JPEG", quality=80)
    manifest = b"file,label,note\nknown.png,ai,Debunked in a newsroom\n"
    bundle = io.BytesIO()
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.writestr("manifest.csv", manifest)
        archive.writestr("known.png", known)
    async with make_api(queue_name=queued.queue_name) as client:
        admin = await sign_up(client, "root@example.org")
        await promote_to_admin(db_engine, "root@example.org")
        imported = await client.post(
            "/v1/admin/known-images/import",
            files={"archive": ("k.zip", bundle.getvalue(), "application/zip")},
            headers=admin,
        )
        assert imported.status_code == 201, imported.text
        headers = await sign_up(client, "ada@example.org")
        job = await start_job(client, headers, ("copy.jpg", copy, JPEG))
        await run_workers(queued, inference_transport)
        done = (await client.get(f"/v1/jobs/{job['id']}", headers=headers)).json()
        prediction_id = done["items"][0]["prediction_id"]
        saved = (await client.get(f"/v1/predictions/{prediction_id}", headers=headers)).json()
    assert (saved["verdict"], saved["decided_by"]) == ("fake", "known_image")
    matches = next(s for s in saved["signals"] if s["name"] == "matches")
    assert matches["evidence"]["known"][0]["note"] == "Debunked in a newsroom"


class DeletingTransport(httpx.AsyncBaseTransport):
    """The real inference service; something else happens while the first check is out."""

    def __init__(
        self, inner: httpx.AsyncBaseTransport, *, during: Callable[[], Awaitable[None]]
    ) -> None:
        self.inner = inner
        self.during: Callable[[], Awaitable[None]] | None = during

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/predict" and self.during is not None:
            during, self.during = self.during, None
            await during()
        return await self.inner.handle_async_request(request)


@pytest.mark.parametrize("deleted", ["/v1/jobs/{job}", "/v1/users/me"])
async def test_a_job_deleted_mid_run_is_dropped_quietly_and_leaks_nothing(
    deleted: str,
    make_api: ApiFactory,
    queued: ApiSettings,
    inference_transport: RecordingTransport,
    db_engine: AsyncEngine,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with make_api(queue_name=queued.queue_name) as client:
        other = await sign_up(client, "kept@example.org")
        kept = await start_job(client, other, ("kept.jpg", images.jpeg(seed=91), JPEG))
        await run_workers(queued, inference_transport)
        owner = await sign_up(client, "gone@example.org")
        owner_id = (await client.get("/v1/users/me", headers=owner)).json()["id"]
        doomed = await start_job(client, owner, ("private-holiday.jpg", images.jpeg(seed=92), JPEG))

        async def delete_doomed() -> None:
            response = await client.delete(deleted.format(job=doomed["id"]), headers=owner)
            assert response.status_code == 204

        logging.getLogger().addHandler(caplog.handler)  # the app's logging setup replaced it
        caplog.clear()
        with caplog.at_level(logging.INFO):
            await run_workers(queued, DeletingTransport(inference_transport, during=delete_doomed))
        still = (await client.get(f"/v1/jobs/{kept['id']}", headers=other)).json()
    logged = caplog.text
    for leak in ("FOREIGN KEY", "ForeignKeyViolation", "IntegrityError", "private-holiday"):
        assert leak not in logged
    assert owner_id not in logged
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r for r in caplog.records if doomed["id"] in r.getMessage()]
    assert (still["status"], still["done"]) == ("completed", 1)
    assert await count_rows(db_engine, "jobs") == 1
    assert await count_rows(db_engine, "job_items") == 1
    assert await count_rows(db_engine, "predictions") == 1
    assert len(stored_files(queued)) == 1


async def test_a_job_of_links_has_each_fetched_and_checked_by_the_worker(
    make_api: ApiFactory, queued: ApiSettings, inference_transport: RecordingTransport
) -> None:
    loopback = {"environment": "development", "link_allowed_private_networks": "127.0.0.0/8"}
    async with link_server() as site, make_api(queue_name=queued.queue_name, **loopback) as client:
        photo = site.put("/photo.jpg", images.jpeg(seed=71), JPEG)
        site.put("/media/lead.png", images.png(seed=72), "image/png")
        html = page('<meta property="og:image" content="/media/lead.png">')
        story = site.put("/story", html, "text/html")
        urls = [photo, story, site.url("/gone.jpg"), "http://10.0.0.1/a.jpg", "ftp://x.org/b.jpg"]
        headers = await sign_up(client, "ada@example.org")
        created = await client.post("/v1/jobs", json={"urls": urls}, headers=headers)
        assert created.status_code == 202, created.text
        job = created.json()
        await run_workers(queued.model_copy(update=loopback), inference_transport)
        done = (await client.get(f"/v1/jobs/{job['id']}", headers=headers)).json()
        history = (await client.get("/v1/predictions", headers=headers)).json()["items"]
    assert (job["total"], job["pending"], job["failed"]) == (5, 4, 1)  # ftp: refused at once
    assert [item["source_url"] for item in done["items"]] == [*urls[:4], None]
    assert [item["filename"] for item in done["items"][:2]] == ["photo.jpg", "story"]
    assert (done["status"], done["done"], done["failed"]) == ("completed", 2, 3)
    errors = [item["error"]["type"].rsplit(":", 1)[-1] for item in done["items"][2:]]
    assert errors == ["link-unreachable", "unsafe-link", "invalid-link"]
    sources = {p["source"]["url"]: p["source"] for p in history}
    assert set(sources) == {photo, story}
    assert sources[story]["image_url"] == site.url("/media/lead.png")
    assert sources[story]["taken_from"] == "og:image"


async def test_a_json_job_needs_links(make_api: ApiFactory, queued: ApiSettings) -> None:
    async with make_api(queue_name=queued.queue_name, max_job_items=2) as client:
        headers = await sign_up(client, "ada@example.org")
        empty = await client.post("/v1/jobs", json={"urls": []}, headers=headers)
        urls = ["http://a.org/"] * 3
        too_many = await client.post("/v1/jobs", json={"urls": urls}, headers=headers)
    assert assert_problem(empty, 422)["errors"][0]["loc"] == ["body", "urls"]
    assert "at most 2 links" in assert_problem(too_many, 422)["detail"]
