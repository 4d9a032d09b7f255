"""The API's problem+json answers raised as typed exceptions, one class per status."""

from __future__ import annotations

import httpx
from pydantic import ValidationError

from deepcatcher_client.models import Problem


class DeepcatcherError(Exception):
    """Anything this client raises."""


class ConnectionFailed(DeepcatcherError):
    """The server could not be reached (after retries)."""


class JobTimeout(DeepcatcherError):
    """A bulk job did not finish in the time allowed."""


class InvalidSignature(DeepcatcherError):
    """A webhook's signature or timestamp does not verify."""


class ApiError(DeepcatcherError):
    """The API answered an error; `problem` is its RFC 9457 body."""

    def __init__(self, problem: Problem, *, response: httpx.Response) -> None:
        super().__init__(f"{problem.status} {problem.title}: {problem.detail or ''}".rstrip(": "))
        self.problem = problem
        self.response = response

    @property
    def status(self) -> int:
        """The HTTP status."""
        return self.problem.status

    @property
    def detail(self) -> str | None:
        """The problem's human-readable explanation."""
        return self.problem.detail

    @property
    def request_id(self) -> str | None:
        """The `X-Request-ID` to quote when asking the operators about this error."""
        request_id: str | None = self.response.headers.get("X-Request-ID")
        return request_id


class BadRequest(ApiError):
    """400: the request is malformed (a bad cursor, for example)."""


class Unauthorized(ApiError):
    """401: no credentials, or a wrong, expired or revoked token or key."""


class Forbidden(ApiError):
    """403: the credentials may not do this (a missing API-key scope, not an admin)."""


class NotFound(ApiError):
    """404: no such thing, or it is not yours."""


class Conflict(ApiError):
    """409: it already exists (an email already registered)."""


class PayloadTooLarge(ApiError):
    """413: a file or the request is over the server's limit."""


class UnsupportedMediaType(ApiError):
    """415: not an image type the server accepts."""


class UnprocessableContent(ApiError):
    """422: the request's content is invalid."""


class RateLimited(ApiError):
    """429: over the rate limit, still after retries."""


class ServiceUnavailable(ApiError):
    """503: the server or something behind it is down, still after retries."""


ERRORS_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    413: PayloadTooLarge,
    415: UnsupportedMediaType,
    422: UnprocessableContent,
    429: RateLimited,
    503: ServiceUnavailable,
}


def problem_of(response: httpx.Response) -> Problem:
    """The response's problem body, or one made from its status when it has none."""
    try:
        return Problem.model_validate_json(response.content)
    except ValidationError:
        return Problem(title=response.reason_phrase or "Error", status=response.status_code)


def raise_for_problem(response: httpx.Response) -> httpx.Response:
    """The response if it succeeded; else its problem raised as the matching exception."""
    if response.is_success:
        return response
    error = ERRORS_BY_STATUS.get(response.status_code, ApiError)
    raise error(problem_of(response), response=response)
