"""RFC 9457 problem details: one exception type and one set of handlers per app."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

PROBLEM_MEDIA_TYPE = "application/problem+json"
logger = logging.getLogger("deepcatcher.errors")


class Problem(BaseModel):
    """An RFC 9457 problem details body."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(default="about:blank", examples=["urn:deepcatcher:problem:not-found"])
    title: str = Field(examples=["Not Found"])
    status: int = Field(examples=[404])
    detail: str | None = Field(default=None, examples=["No prediction with that id."])
    instance: str | None = Field(default=None, examples=["/v1/predictions/0b9f..."])


class ProblemError(Exception):
    """An error that becomes a problem+json response."""

    status: int = 500
    title: str = "Internal Server Error"
    slug: str | None = None

    def __init__(
        self,
        detail: str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        extensions: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail
        self.headers = dict(headers or {})
        self.extensions = dict(extensions or {})

    def to_problem(self, *, instance: str | None = None) -> Problem:
        """Render this error as a problem body."""
        problem_type = f"urn:deepcatcher:problem:{self.slug}" if self.slug else "about:blank"
        return Problem(
            type=problem_type,
            title=self.title,
            status=self.status,
            detail=self.detail,
            instance=instance,
            **self.extensions,
        )


class BadRequest(ProblemError):
    status, title, slug = 400, "Bad Request", "bad-request"


class Unauthorized(ProblemError):
    status, title, slug = 401, "Unauthorized", "unauthorized"


class Forbidden(ProblemError):
    status, title, slug = 403, "Forbidden", "forbidden"


class NotFound(ProblemError):
    status, title, slug = 404, "Not Found", "not-found"


class Conflict(ProblemError):
    status, title, slug = 409, "Conflict", "conflict"


class PayloadTooLarge(ProblemError):
    status, title, slug = 413, "Content Too Large", "payload-too-large"


class UnsupportedMediaType(ProblemError):
    status, title, slug = 415, "Unsupported Media Type", "unsupported-media-type"


class UnprocessableContent(ProblemError):
    status, title, slug = 422, "Unprocessable Content", "unprocessable"


class RateLimited(ProblemError):
    status, title, slug = 429, "Too Many Requests", "rate-limited"


class ServiceUnavailable(ProblemError):
    status, title, slug = 503, "Service Unavailable", "service-unavailable"


def problem_response(problem: Problem, *, headers: Mapping[str, str] | None = None) -> JSONResponse:
    """Build a problem+json response from a problem body."""
    return JSONResponse(
        problem.model_dump(exclude_none=True),
        status_code=problem.status,
        headers=dict(headers or {}),
        media_type=PROBLEM_MEDIA_TYPE,
    )


async def _on_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemError)
    return problem_response(exc.to_problem(instance=request.url.path), headers=exc.headers)


async def _on_http_exception(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    error = ProblemError(exc.detail if isinstance(exc.detail, str) else None, headers=exc.headers)
    if exc.status_code == 405:
        # Starlette names only the first route matching the path; a path served by several
        # routes (GET and DELETE /v1/users/me) must list all of them.
        error.headers["Allow"] = ", ".join(_allowed_methods(request))
    error.status, error.title = exc.status_code, _reason(exc.status_code)
    return problem_response(error.to_problem(instance=request.url.path), headers=error.headers)


async def _on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"loc": list(error.get("loc", ())), "msg": error.get("msg", ""), "type": error.get("type")}
        for error in exc.errors()
    ]
    error = UnprocessableContent("The request is not valid.", extensions={"errors": errors})
    return problem_response(error.to_problem(instance=request.url.path))


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unhandled error", extra={"path": request.url.path})
    error = ProblemError("An unexpected error occurred; it has been logged.")
    return problem_response(error.to_problem(instance=request.url.path))


def _allowed_methods(request: Request) -> list[str]:
    methods: set[str] = set()
    for route in iter_route_contexts(request.app.routes):
        match, _ = route.matches(request.scope)
        if match != Match.NONE:
            methods |= route.methods or set()
    return sorted(methods)


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def install_problem_handlers(app: FastAPI) -> None:
    """Make every error of the app answer application/problem+json."""
    app.add_exception_handler(ProblemError, _on_problem)
    app.add_exception_handler(StarletteHTTPException, _on_http_exception)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(Exception, _on_unexpected)


def problem_responses(
    *statuses: int, descriptions: Mapping[int, str] | None = None
) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries documenting problem+json bodies for these statuses."""
    descriptions = descriptions or {}
    return {
        status: {
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
            "description": descriptions.get(status, _reason(status)),
        }
        for status in statuses
    }
