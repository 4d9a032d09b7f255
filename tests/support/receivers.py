"""Real HTTP servers on loopback ports: webhook receivers and other peers tests talk to."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp

from services.common.processes import free_port


@dataclass
class Received:
    """One request the receiver got."""

    headers: dict[str, str]
    body: bytes


@dataclass
class WebhookReceiver:
    """Answers 500 to the first `failures` requests, then 204, keeping every request."""

    failures: int = 0
    requests: list[Received] = field(default_factory=list)
    url: str = ""

    async def handle(self, request: Request) -> Response:
        self.requests.append(Received(headers=dict(request.headers), body=await request.body()))
        return Response(status_code=500 if len(self.requests) <= self.failures else 204)


@asynccontextmanager
async def serving(app: ASGIApp, *, port: int, host: str = "127.0.0.1") -> AsyncIterator[None]:
    """Serve an ASGI app on a loopback port with a real uvicorn until the block ends."""
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn offers no event to wait on
        await asyncio.sleep(0.02)
    try:
        yield
    finally:
        server.should_exit = True
        await task


@asynccontextmanager
async def webhook_receiver(*, failures: int = 0) -> AsyncIterator[WebhookReceiver]:
    """A receiver listening on a free loopback port until the block ends."""
    receiver = WebhookReceiver(failures=failures)
    port = free_port()
    receiver.url = f"http://127.0.0.1:{port}/hook"
    app = Starlette(routes=[Route("/hook", receiver.handle, methods=["POST"])])
    async with serving(app, port=port):
        yield receiver
