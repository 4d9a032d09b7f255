"""What the web passes on to the services it calls: the request id and the browser's address."""

from __future__ import annotations

from contextvars import ContextVar

import httpx
from starlette.types import ASGIApp, Receive, Scope, Send

from services.common.observability import REQUEST_ID_HEADER, current_request_id

browser_address: ContextVar[str | None] = ContextVar("browser_address", default=None)


class BrowserAddressMiddleware:
    """Remember the browser's address while a request is served, to forward it to the API."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        token = browser_address.set(client[0] if client else None)
        try:
            await self.app(scope, receive, send)
        finally:
            browser_address.reset(token)


async def forward_headers(request: httpx.Request) -> None:
    """Send X-Request-ID and, since the API limits rates per address, X-Forwarded-For onward."""
    request_id = current_request_id()
    if request_id:
        request.headers[REQUEST_ID_HEADER] = request_id
    address = browser_address.get()
    if address:
        request.headers["X-Forwarded-For"] = address


def create_http_client(
    *,
    base_url: str,
    timeout_s: float,
    transport: httpx.AsyncBaseTransport | None,
    token: str | None = None,
) -> httpx.AsyncClient:
    """An HTTP client for one service that forwards the request id and browser address."""
    return httpx.AsyncClient(
        base_url=base_url,
        headers={"Authorization": f"Bearer {token}"} if token else None,
        timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 3.0)),
        transport=transport or httpx.AsyncHTTPTransport(retries=1),
        event_hooks={"request": [forward_headers]},
    )
