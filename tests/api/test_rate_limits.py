"""Rate limits per IP (anonymous), per user and per API key, answered with 429 + Retry-After."""

from __future__ import annotations

from pathlib import Path

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from services.api.config import ApiSettings
from services.common.processes import free_port, wait_until_ready
from tests.conftest import ApiFactory
from tests.support import archives, images
from tests.support.api import JPEG, assert_problem, count_rows, files, predict, sign_up
from tests.support.processes import deepcatcher_command, running
from tests.support.queues import own_queue


async def test_anonymous_callers_are_limited_per_ip(make_api: ApiFactory) -> None:
    async with make_api(rate_limit_anonymous="2/minute") as client:
        upload = ("a.jpg", images.jpeg(seed=1), JPEG)
        assert (await predict(client, upload)).status_code == 200
        assert (await predict(client, upload)).status_code == 200
        limited = await predict(client, upload)
        assert_problem(limited, 429)
        assert 1 <= int(limited.headers["Retry-After"]) <= 60
        headers = await sign_up(client, "ada@example.org")
        assert (await predict(client, upload, headers=headers)).status_code == 201


async def test_each_file_counts_against_the_limit(make_api: ApiFactory) -> None:
    async with make_api(rate_limit_user="2/minute") as client:
        headers = await sign_up(client, "bob@example.org")
        uploads = [(f"{i}.jpg", images.jpeg(seed=i), JPEG) for i in range(3)]
        assert_problem(await predict(client, *uploads, headers=headers), 429)


async def test_api_keys_have_their_own_bucket(make_api: ApiFactory) -> None:
    async with make_api(rate_limit_user="1/minute", rate_limit_api_key="1/minute") as client:
        headers = await sign_up(client, "cat@example.org")
        key = (await client.post("/v1/api-keys", json={"name": "k"}, headers=headers)).json()["key"]
        upload = ("a.jpg", images.jpeg(seed=5), JPEG)
        assert (await predict(client, upload, headers=headers)).status_code == 201
        assert_problem(await predict(client, upload, headers=headers), 429)
        assert (await predict(client, upload, headers={"X-API-Key": key})).status_code == 201
        assert_problem(await predict(client, upload, headers={"X-API-Key": key}), 429)


async def test_sign_in_attempts_are_limited(make_api: ApiFactory) -> None:
    async with make_api(rate_limit_auth="3/minute") as client:
        for _ in range(3):
            response = await client.post(
                "/v1/auth/token", data={"username": "x@example.org", "password": "wrong-password"}
            )
            assert response.status_code == 401
        blocked = await client.post(
            "/v1/auth/token", data={"username": "x@example.org", "password": "wrong-password"}
        )
        assert_problem(blocked, 429)


def _wrong_sign_in(attempt: int) -> dict[str, str]:
    """A wrong password for a fresh email each time, so that no account gets throttled."""
    return {"username": f"spoof{attempt}@example.org", "password": "wrong-password"}


def _claiming(address: str) -> dict[str, str]:
    return {"X-Forwarded-For": address}


def test_spoofed_forwarded_for_does_not_move_the_limit_of_a_served_api(
    database_url: str, tmp_path: Path, clean_database: None
) -> None:
    port = free_port()
    env = {
        "DEEPCATCHER_API_DATABASE_URL": database_url,
        "DEEPCATCHER_API_IMAGE_DIR": str(tmp_path / "images"),
        "DEEPCATCHER_API_PORT": str(port),
        "DEEPCATCHER_API_RATE_LIMIT_AUTH": "10/minute",
    }
    # Served as `make run` serves it, over TCP from 127.0.0.1, which uvicorn alone would trust.
    with running(deepcatcher_command("serve", "--only", "api"), env=env, log=tmp_path / "api.log"):
        url = f"http://127.0.0.1:{port}/v1/auth/token"
        wait_until_ready(f"http://127.0.0.1:{port}/healthz")
        statuses = [
            httpx.post(url, data=_wrong_sign_in(i), headers=_claiming(f"203.0.113.{i}")).status_code
            for i in range(14)
        ]
    assert statuses[:10] == [401] * 10 and set(statuses[10:]) == {429}


async def test_only_a_trusted_proxy_names_the_client(make_api: ApiFactory) -> None:
    # The test client connects from 127.0.0.1: here the configured proxy.
    async with make_api(rate_limit_auth="2/minute", forwarded_allow_ips="127.0.0.1") as client:
        first = [
            await client.post(
                "/v1/auth/token", data=_wrong_sign_in(i), headers=_claiming("203.0.113.1")
            )
            for i in range(3)
        ]
        other = await client.post(
            "/v1/auth/token", data=_wrong_sign_in(9), headers=_claiming("203.0.113.2")
        )
    assert [response.status_code for response in first] == [401, 401, 429]
    assert other.status_code == 401


async def test_bulk_jobs_charge_every_image_inside_their_zips(
    make_api: ApiFactory, api_settings: ApiSettings, db_engine: AsyncEngine
) -> None:
    def zip_of(count: int) -> tuple[str, bytes, str]:
        photos = [(f"{seed}.jpg", images.jpeg(seed=seed)) for seed in range(count)]
        return ("batch.zip", archives.zipped(*photos), "application/zip")

    async with (
        own_queue(api_settings) as queued,
        make_api(queue_name=queued.queue_name, rate_limit_api_key="5/minute") as client,
    ):
        headers = await sign_up(client, "dan@example.org")
        key = (await client.post("/v1/api-keys", json={"name": "k"}, headers=headers)).json()["key"]
        with_key = {"X-API-Key": key}
        too_many = await client.post("/v1/jobs", files=files(zip_of(6)), headers=with_key)
        assert_problem(too_many, 429)
        assert await count_rows(db_engine, "images") == 0
        fits = await client.post("/v1/jobs", files=files(zip_of(4)), headers=with_key)
        assert fits.status_code == 202, fits.text
        upload = ("a.jpg", images.jpeg(seed=20), JPEG)
        assert (await predict(client, upload, headers=with_key)).status_code == 201
        assert_problem(await predict(client, upload, headers=with_key), 429)
