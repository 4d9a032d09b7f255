"""Running an ASGI app in-process, lifespan and all, behind an httpx client."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

import httpx
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

# What the test inference services are given, and what the API and web send them.
INFERENCE_TOKEN = "inference-test-token-that-is-long-enough-0123"
INFERENCE_AUTH = {"Authorization": f"Bearer {INFERENCE_TOKEN}"}


# asgi-lifespan gives an app 5 s to start; loading TensorFlow and the towers takes longer on a
# busy 2-core machine, and a slow start is not what these tests check.
STARTUP_TIMEOUT_S = 120.0


def lifespan_of(app: FastAPI) -> LifespanManager:
    """The app's lifespan, with time to start on a loaded machine."""
    return LifespanManager(app, startup_timeout=STARTUP_TIMEOUT_S, shutdown_timeout=60.0)


@asynccontextmanager
async def in_process(
    app: FastAPI, *, base_url: str, headers: Mapping[str, str] | None = None
) -> AsyncIterator[httpx.AsyncClient]:
    """Start the app's lifespan and yield a client that talks to it without a network."""
    transport = httpx.ASGITransport(app=app)
    async with (
        lifespan_of(app),
        httpx.AsyncClient(transport=transport, base_url=base_url, headers=headers) as client,
    ):
        yield client
