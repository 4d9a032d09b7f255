"""An httpx transport that records what the API sends to the inference service."""

from __future__ import annotations

import httpx


class RecordingTransport(httpx.AsyncBaseTransport):
    """Passes every request to a real transport and keeps a note of it."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return await self.inner.handle_async_request(request)

    def count(self, path: str) -> int:
        """How many requests went to this path."""
        return sum(1 for request in self.requests if request.url.path == path)
