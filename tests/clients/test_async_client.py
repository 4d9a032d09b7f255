"""The async client: predictions, history, and bulk jobs with progress and a signed webhook."""

from __future__ import annotations

import asyncio
import itertools
import json
import time

import pytest
from deepcatcher_client import AsyncClient, InvalidSignature, Job, JobTimeout, verify_webhook

from tests.clients.conftest import Account, Servers
from tests.support import images
from tests.support.links import link_server
from tests.support.receivers import webhook_receiver


async def test_predicts_and_iterates_history(servers: Servers, account: Account) -> None:
    async with AsyncClient(servers.api, api_key=account.api_key) as client:
        batch = await client.predict([("b.jpg", images.flat_jpeg(level=230, seed=41))])
        assert batch.items[0].prediction and batch.items[0].prediction.verdict == "fake"
        await client.predict([("d.jpg", images.flat_jpeg(level=30, seed=42))])
        names = [item.filename async for item in client.predictions(page_size=1)]
        assert (await client.me()).email == account.email
    assert names == ["d.jpg", "b.jpg"]


async def test_bulk_job_submit_wait_with_progress_and_results(
    servers: Servers, account: Account
) -> None:
    files = [
        (f"{i}.jpg", images.flat_jpeg(level=30 if i % 2 else 230, seed=500 + i)) for i in range(6)
    ]
    files.append(("broken.jpg", b"no image here"))
    seen: list[Job] = []
    async with AsyncClient(servers.api, api_key=account.api_key) as client:
        job = await client.submit_job(files)
        assert job.total == 7 and job.status == "queued"
        done = await client.wait_for_job(job.id, poll_interval_s=0.2, on_progress=seen.append)
        results = await client.job_results(job.id)
        listed = [summary.id async for summary in client.jobs()]
    assert done.finished and (done.done, done.failed) == (6, 1)
    assert seen[-1] == done and all(a.pending >= b.pending for a, b in itertools.pairwise(seen))
    assert [item.verdict for item in results[:6]] == ["fake", "real"] * 3
    assert results[6].status == "error" and results[6].error is not None
    assert listed == [job.id]


async def test_waiting_gives_up_after_the_timeout(servers: Servers, account: Account) -> None:
    async with AsyncClient(servers.paused_api, api_key=account.api_key) as client:
        job = await client.submit_job([("a.jpg", images.flat_jpeg(level=30, seed=1))])
        with pytest.raises(JobTimeout):
            await client.wait_for_job(job.id, poll_interval_s=0.1, timeout_s=0.5)
        await client.delete_job(job.id)


async def test_webhook_signature_verifies_and_tampering_does_not(
    servers: Servers, account: Account
) -> None:
    async with (
        webhook_receiver() as receiver,
        AsyncClient(servers.api, api_key=account.api_key) as client,
    ):
        job = await client.submit_job(
            [("a.jpg", images.flat_jpeg(level=30, seed=61))], callback_url=receiver.url
        )
        await client.wait_for_job(job.id, poll_interval_s=0.2)
        deadline = time.monotonic() + 30
        while not receiver.requests and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.1)
    assert job.callback_secret is not None and receiver.requests
    delivered = receiver.requests[0]
    payload = verify_webhook(
        secret=job.callback_secret, headers=delivered.headers, body=delivered.body
    )
    assert payload.job.id == job.id and payload.job.status == "completed"
    tampered = json.dumps(json.loads(delivered.body) | {"event": "other"}).encode()
    with pytest.raises(InvalidSignature):
        verify_webhook(secret=job.callback_secret, headers=delivered.headers, body=tampered)
    with pytest.raises(InvalidSignature):
        verify_webhook(secret="not-the-secret", headers=delivered.headers, body=delivered.body)
    with pytest.raises(InvalidSignature):
        verify_webhook(
            secret=job.callback_secret,
            headers=delivered.headers,
            body=delivered.body,
            tolerance_s=-1,
        )


async def test_check_url_checks_a_direct_image_link(servers: Servers, account: Account) -> None:
    data = images.flat_jpeg(level=30, seed=43)
    async with AsyncClient(servers.api) as anonymous:  # saves nothing, so nothing is reused
        uploaded = await anonymous.predict([("dark.jpg", data)])
    async with link_server() as site, AsyncClient(servers.api, api_key=account.api_key) as client:
        batch = await client.check_url(site.put("/dark.jpg", data, "image/jpeg"))
    linked, direct = batch.items[0].prediction, uploaded.items[0].prediction
    assert linked is not None and direct is not None and not linked.reused
    assert (linked.verdict, linked.score) == (direct.verdict, direct.score)
    assert linked.verdict == "real"
    assert linked.source is not None and linked.source.image_url == site.url("/dark.jpg")
    assert linked.image.sha256 == direct.image.sha256


async def test_a_bulk_job_of_links_is_fetched_and_checked(
    servers: Servers, account: Account
) -> None:
    async with link_server() as site, AsyncClient(servers.api, api_key=account.api_key) as client:
        bright = site.put("/bright.jpg", images.flat_jpeg(level=230, seed=44), "image/jpeg")
        created = await client.submit_job_links([bright, site.url("/gone.jpg")])
        job = await client.wait_for_job(created.id, poll_interval_s=0.2, timeout_s=60)
    assert [item.source_url for item in job.items] == [bright, site.url("/gone.jpg")]
    assert [item.verdict for item in job.items] == ["fake", None]
    assert job.items[1].error is not None and "404" in (job.items[1].error.detail or "")
