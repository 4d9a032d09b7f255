"""Running an ASGI app in-process, lifespan and all, behind an httpx client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from asgi_lifespan import LifespanManager
from fastapi import FastAPI


@asynccontextmanager
async def in_process(app: FastAPI, *, base_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """Start the app's lifespan and yield a client that talks to it without a network."""
    async with (
        LifespanManager(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url) as client,
    ):
        yield client
