"""A small closed-loop load generator for fault tests: many clients checking unique images."""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass, field

import httpx

from tests.support import images

_seeds = itertools.count(10_000)


@dataclass
class Outcome:
    """One request's answer, and when it came (seconds since the load started)."""

    at: float
    status: int
    retry_after: str | None
    prediction_ids: list[str] = field(default_factory=list)
    error: str = ""


async def _client_loop(
    *, client: httpx.AsyncClient, headers: dict[str, str], started: float, until: float
) -> list[Outcome]:
    outcomes: list[Outcome] = []
    while time.monotonic() < until:
        data = images.jpeg(seed=next(_seeds), width=96, height=96)
        try:
            response = await client.post(
                "/v1/predictions", files=[("files", ("x.jpg", data, "image/jpeg"))], headers=headers
            )
        except httpx.HTTPError as exc:
            outcomes.append(
                Outcome(at=time.monotonic() - started, status=0, retry_after=None, error=repr(exc))
            )
            await asyncio.sleep(0.2)
            continue
        ids = []
        if response.status_code == 201:
            ids = [
                item["prediction"]["id"] for item in response.json()["items"] if item["prediction"]
            ]
        outcomes.append(
            Outcome(
                at=time.monotonic() - started,
                status=response.status_code,
                retry_after=response.headers.get("Retry-After"),
                prediction_ids=ids,
            )
        )
        if response.status_code == 503:
            await asyncio.sleep(0.2)  # a polite client honours back-off, if only briefly
    return outcomes


async def run_load(
    *, base_url: str, headers: dict[str, str], clients: int, seconds: float
) -> list[Outcome]:
    """Keep `clients` requests in flight for `seconds`; return every outcome in time order."""
    started = time.monotonic()
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        results = await asyncio.gather(
            *(
                _client_loop(
                    client=client, headers=headers, started=started, until=started + seconds
                )
                for _ in range(clients)
            )
        )
    return sorted((o for result in results for o in result), key=lambda o: o.at)
