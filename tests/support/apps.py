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


@asynccontextmanager
async def in_process(
    app: FastAPI, *, base_url: str, headers: Mapping[str, str] | None = None
) -> AsyncIterator[httpx.AsyncClient]:
    """Start the app's lifespan and yield a client that talks to it without a network."""
    transport = httpx.ASGITransport(app=app)
    async with (
        LifespanManager(app),
        httpx.AsyncClient(transport=transport, base_url=base_url, headers=headers) as client,
    ):
        yield client
