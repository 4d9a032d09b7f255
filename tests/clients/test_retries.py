"""Retries on 429 and 503, honouring Retry-After, with the same Idempotency-Key every time."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
from deepcatcher_client import AsyncClient, Client, RetryPolicy, ServiceUnavailable
from deepcatcher_client.retries import retry_after_s

from tests.clients.conftest import Servers, new_account
from tests.support import images
from tests.support.api import PASSWORD


class Log:
    """Every request sent and every status received, in order."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.statuses: list[int] = []

    def hooks(self) -> dict[str, list[object]]:
        """httpx event hooks that fill the log."""
        return {
            "request": [self.requests.append],
            "response": [lambda response: self.statuses.append(response.status_code)],
        }

    def async_hooks(self) -> dict[str, list[object]]:
        """The same hooks for an async client (httpx awaits them)."""

        async def on_request(request: httpx.Request) -> None:
            self.requests.append(request)

        async def on_response(response: httpx.Response) -> None:
            self.statuses.append(response.status_code)

        return {"request": [on_request], "response": [on_response]}


def test_rate_limited_sign_in_is_retried_after_retry_after(servers: Servers) -> None:
    account = new_account(servers.api)
    log = Log()
    with Client(servers.paused_api, event_hooks=log.hooks()) as client:
        started = time.monotonic()
        for _ in range(4):
            client.sign_in(email=account.email, password=PASSWORD)
        elapsed = time.monotonic() - started
    assert 429 in log.statuses and log.statuses[-1] == 200
    retried = log.statuses.index(429)
    first, retry = log.requests[retried], log.requests[retried + 1]
    assert first.headers["Idempotency-Key"] == retry.headers["Idempotency-Key"]
    assert elapsed >= 5.0  # 2 per 5 s: the third success needed the wait Retry-After asked


def test_unavailable_inference_is_retried_then_raised(servers: Servers) -> None:
    account = new_account(servers.api)
    log = Log()
    retry = RetryPolicy(max_retries=2)
    client = Client(
        servers.paused_api, api_key=account.api_key, retry=retry, event_hooks=log.hooks()
    )
    started = time.monotonic()
    with client, pytest.raises(ServiceUnavailable) as raised:
        client.predict([("a.jpg", images.flat_jpeg(level=30, seed=1))])
    assert log.statuses == [503, 503, 503]
    assert len({request.headers["Idempotency-Key"] for request in log.requests}) == 1
    assert time.monotonic() - started >= 2.0  # Retry-After: 1, twice
    assert raised.value.response.headers["Retry-After"] == "1"


def test_retry_after_longer_than_allowed_is_not_waited_out(servers: Servers) -> None:
    account = new_account(servers.api)
    log = Log()
    impatient = RetryPolicy(max_retries=3, max_wait_s=0.5)
    client = Client(
        servers.paused_api, api_key=account.api_key, retry=impatient, event_hooks=log.hooks()
    )
    with client, pytest.raises(ServiceUnavailable):
        client.predict([("a.jpg", images.flat_jpeg(level=30, seed=2))])
    assert log.statuses == [503]


def test_retry_after_as_an_http_date_and_backoff_without_one() -> None:
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    dated = httpx.Response(503, headers={"Retry-After": later})
    assert 28 <= (retry_after_s(dated) or 0) <= 30
    policy = RetryPolicy(max_retries=2, backoff_s=1.0)
    bare = httpx.Response(503)
    assert 0.5 <= (policy.wait_before_retry(attempt=0, response=bare) or 0) <= 1.0
    assert 1.0 <= (policy.wait_before_retry(attempt=1, response=bare) or 0) <= 2.0
    assert policy.wait_before_retry(attempt=2, response=bare) is None
    assert policy.wait_before_retry(attempt=0, response=httpx.Response(500)) is None


async def test_the_async_client_retries_the_same_way(servers: Servers) -> None:
    account = new_account(servers.api)
    log = Log()
    retry = RetryPolicy(max_retries=1)
    client = AsyncClient(
        servers.paused_api, api_key=account.api_key, retry=retry, event_hooks=log.async_hooks()
    )
    async with client:
        with pytest.raises(ServiceUnavailable):
            await client.predict([("a.jpg", images.flat_jpeg(level=30, seed=3))])
    assert log.statuses == [503, 503]
    assert len({request.headers["Idempotency-Key"] for request in log.requests}) == 1
