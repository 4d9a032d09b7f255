"""Upload limits enforced while the body streams in, and safe file-name checks."""

from __future__ import annotations

import unicodedata

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.common.problems import PayloadTooLarge, UnprocessableContent, problem_response

MAX_FILENAME_LENGTH = 255


class BodySizeLimitMiddleware:
    """Answer 413 as soon as a request body grows past the limit, without buffering it.

    Multipart uploads may reach `max_body_bytes`; with `max_other_body_bytes`, every other
    body (JSON, a sign-in form) is held to that much smaller limit before anything parses it.
    """

    def __init__(
        self, app: ASGIApp, *, max_body_bytes: int, max_other_body_bytes: int | None = None
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_other_body_bytes = max_other_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit_for(scope)
        declared = _declared_length(scope)
        if declared is not None and declared > limit:
            response = problem_response(_too_large(limit).to_problem(instance=scope["path"]))
            await response(scope, receive, send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                # FastAPI turns most errors raised while parsing a body into a 400;
                # an HTTPException passes through and reaches the problem handler as a 413.
                raise HTTPException(413, detail=_too_large(limit).detail)
            return message

        await self.app(scope, limited_receive, send)

    def _limit_for(self, scope: Scope) -> int:
        if self.max_other_body_bytes is None or _header(scope, b"content-type").startswith(
            b"multipart/form-data"
        ):
            return self.max_body_bytes
        return self.max_other_body_bytes


def _too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"The request body is larger than {limit} bytes.")


def _header(scope: Scope, name: bytes) -> bytes:
    return next((value.lower() for key, value in scope["headers"] if key == name), b"")


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class UnsafeFilename(UnprocessableContent):
    slug = "unsafe-filename"


def check_filename(name: str | None) -> str:
    """Return the upload's file name, or raise if it is hostile (path, control chars, too long)."""
    if not name:
        return "upload"
    if len(name) > MAX_FILENAME_LENGTH:
        raise UnsafeFilename(f"The file name is longer than {MAX_FILENAME_LENGTH} characters.")
    if "/" in name or "\\" in name or name in {".", ".."}:
        raise UnsafeFilename("The file name must not contain a path.")
    if any(unicodedata.category(ch) in {"Cc", "Cf", "Zl", "Zp"} for ch in name):
        raise UnsafeFilename("The file name contains control characters.")
    return name
