"""A real web server on loopback for checks by link: pages, images, and servers that misbehave."""

from __future__ import annotations

import asyncio
import queue
import threading
import zlib
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from services.common.processes import free_port
from tests.support.receivers import serving

CHUNK = 64 * 1024


@dataclass
class LinkServer:
    """Serves what tests put at a path, and a few misbehaviours at fixed ones:

    `/hops/N?to=URL` redirects N times then to URL, `/loop/a` and `/loop/b` redirect to each
    other, `/slow` sends a byte a second, `/silent` never answers, `/endless` never ends,
    `/gzip-bomb` inflates to 64 MiB, `/cookie?to=URL` sets a cookie and redirects.
    """

    host: str = "127.0.0.1"
    port: int = 0
    files: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    closing: asyncio.Event = field(default_factory=asyncio.Event)

    def url(self, path: str) -> str:
        """The address of a path on this server."""
        return f"http://{self.host}:{self.port}{path}"

    def put(self, path: str, data: bytes, content_type: str) -> str:
        """Serve `data` at `path` with that Content-Type; return its address."""
        self.files[path] = (data, content_type)
        return self.url(path)

    async def handle(self, request: Request) -> Response:
        self.requests.append(request)
        path = request.url.path
        if path in self.files:
            data, content_type = self.files[path]
            return Response(data, headers={"Content-Type": content_type})
        return await _misbehaviour(request, closing=self.closing) or Response(
            b"no such page", status_code=404
        )


async def _misbehaviour(request: Request, *, closing: asyncio.Event) -> Response | None:
    path, to = request.url.path, request.query_params.get("to", "")
    if path.startswith("/hops/"):
        left = int(path.removeprefix("/hops/"))
        return RedirectResponse(f"/hops/{left - 1}?to={to}" if left > 0 else to, 302)
    if path in {"/loop/a", "/loop/b"}:
        return RedirectResponse("/loop/b" if path == "/loop/a" else "/loop/a", 302)
    if path == "/cookie":
        redirect = RedirectResponse(to, 302)
        redirect.set_cookie("session", "secret-session-id")
        return redirect
    streams = {"/slow": _one_byte_a_second, "/endless": _endless}
    if path in streams:
        return StreamingResponse(streams[path](), media_type="image/jpeg")
    if path == "/silent":
        await closing.wait()  # until the server stops
    if path == "/gzip-bomb":
        headers = {"Content-Encoding": "gzip"}
        return Response(gzip_bomb(inflated=64 * 1024 * 1024), headers=headers)
    return None


async def _one_byte_a_second() -> AsyncIterator[bytes]:
    yield b"\xff"
    while True:
        await asyncio.sleep(1)
        yield b"\xd8"


async def _endless() -> AsyncIterator[bytes]:
    while True:
        yield b"\xff" * CHUNK
        await asyncio.sleep(0)


def gzip_bomb(*, inflated: int) -> bytes:
    """A gzip body of zeros that inflates to `inflated` bytes (a few dozen KiB on the wire)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    zeros = bytes(1024 * 1024)
    parts = [compressor.compress(zeros) for _ in range(inflated // len(zeros))]
    return b"".join(parts) + compressor.flush()


@asynccontextmanager
async def link_server(*, host: str = "127.0.0.1") -> AsyncIterator[LinkServer]:
    """A link server on a free port of a loopback address until the block ends."""
    server = LinkServer(host=host, port=free_port())
    app = Starlette(routes=[Route("/{path:path}", server.handle)])
    async with serving(app, port=server.port, host=host):
        try:
            yield server
        finally:
            server.closing.set()


def page(*tags: str, title: str = "A news story") -> bytes:
    """An HTML page whose head holds these tags."""
    head = f"<title>{title}</title>{''.join(tags)}"
    return f"<!DOCTYPE html><html><head>{head}</head><body></body></html>".encode()


@contextmanager
def link_server_in_thread(*, host: str = "127.0.0.1") -> Iterator[LinkServer]:
    """A link server run by its own event loop in a thread, for tests that block."""
    started: queue.Queue[LinkServer] = queue.Queue()
    stop = threading.Event()

    async def run() -> None:
        async with link_server(host=host) as server:
            started.put(server)
            while not stop.is_set():  # noqa: ASYNC110 - the stop comes from another thread
                await asyncio.sleep(0.05)

    thread = threading.Thread(target=asyncio.run, args=(run(),), daemon=True)
    thread.start()
    try:
        yield started.get(timeout=30)
    finally:
        stop.set()
        thread.join(timeout=30)
