"""Request ids, one JSON log line per request, and the logging setup every service shares."""

from __future__ import annotations

import logging
import sys
import time
from uuid import uuid4

from asgi_correlation_id import CorrelationIdFilter, CorrelationIdMiddleware, correlation_id
from fastapi import FastAPI
from pythonjsonlogger.json import JsonFormatter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = "X-Request-ID"
access_logger = logging.getLogger("deepcatcher.access")


def configure_logging(*, service: str, level: str = "INFO") -> None:
    """Send every log record to stdout as one JSON object carrying the request id."""
    handler = logging.StreamHandler(sys.stdout)
    handler.addFilter(CorrelationIdFilter())
    handler.setFormatter(
        JsonFormatter(
            "{asctime}{levelname}{name}{message}{correlation_id}",
            style="{",
            rename_fields={"levelname": "level", "asctime": "time", "correlation_id": "request_id"},
            static_fields={"service": service},
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    # Our access middleware writes the one line per request; uvicorn's would be a second,
    # and httpx's would add one per call between services.
    logging.getLogger("uvicorn.access").disabled = True
    logging.getLogger("httpx").setLevel(logging.WARNING)


def current_request_id() -> str | None:
    """The id of the request being served, if any."""
    return correlation_id.get()


class RequestObserver:
    """A pure ASGI middleware that reports each HTTP request's status and duration."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        finally:
            self.observe(scope=scope, status=status, seconds=time.perf_counter() - started)

    def observe(self, *, scope: Scope, status: int, seconds: float) -> None:
        """Record one finished request (subclasses say how)."""
        raise NotImplementedError


class AccessLogMiddleware(RequestObserver):
    """Log one line per HTTP request with its status and duration."""

    def observe(self, *, scope: Scope, status: int, seconds: float) -> None:
        """Write the request's access-log line."""
        access_logger.info(
            "request",
            extra={
                "method": scope["method"],
                "path": scope["path"],
                "status": status,
                "duration_ms": round(seconds * 1000, 2),
            },
        )


def install_observability(app: FastAPI) -> None:
    """Give every response an X-Request-ID and log each request once."""
    app.add_middleware(AccessLogMiddleware)
    app.add_middleware(
        CorrelationIdMiddleware,
        header_name=REQUEST_ID_HEADER,
        generator=lambda: uuid4().hex,
        validator=_is_acceptable_request_id,
    )


def _is_acceptable_request_id(value: str) -> bool:
    # Callers may send their own ids (for tracing across systems) but not log-injection payloads.
    return 0 < len(value) <= 128 and all(ch.isalnum() or ch in "-_.:" for ch in value)
