"""Friendly error pages (and, for htmx, an error message) instead of stack traces or JSON."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from http import HTTPStatus
from urllib.parse import quote, urlsplit, urlunsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from services.common.problems import ProblemError
from services.web.clients.errors import SignInRequired
from services.web.rendering import Pages, is_htmx, redirect
from services.web.security.headers import SECURITY_HEADERS
from services.web.security.redirects import local_path
from services.web.security.sessions import Flash, WebSession

logger = logging.getLogger("deepcatcher.web.errors")


@dataclass(frozen=True, slots=True)
class ErrorPage:
    """What an error page says: a title, a message in plain words, and any technical detail."""

    status: int
    title: str
    message: str
    detail: str | None = None


FRIENDLY: dict[int, tuple[str, str]] = {
    403: ("Not allowed", "You don't have access to this page."),
    404: (
        "Page not found",
        "There is nothing here. It may have been deleted, or the link is wrong.",
    ),
    405: ("Not allowed", "That action isn't available here."),
    413: ("Too large", "The upload is larger than Deepcatcher accepts."),
    429: ("Slow down", "Too many requests in a short time. Wait a minute and try again."),
    500: ("Something went wrong", "An unexpected error happened on our side. It has been logged."),
    503: (
        "Temporarily unavailable",
        "Part of Deepcatcher isn't answering right now. Please try again in a minute.",
    ),
}


def error_page(*, status: int, detail: str | None = None) -> ErrorPage:
    """The words for a status: a client error says what was wrong, a server error says sorry."""
    title, message = FRIENDLY.get(status, (_reason(status), "That request could not be handled."))
    if status < 500:
        return ErrorPage(status=status, title=title, message=detail or message)
    return ErrorPage(status=status, title=title, message=message, detail=detail)


def render_error(
    request: Request, page: ErrorPage, *, headers: Mapping[str, str] | None = None
) -> Response:
    """The error as a full page, or for htmx as a flash message swapped out of band."""
    pages: Pages = request.app.state.web.pages
    all_headers = SECURITY_HEADERS | dict(headers or {})
    if is_htmx(request):
        html = pages.flashes(
            {"request": request}, flashes=[Flash(kind="error", message=page.message)]
        )
        return Response(html, page.status, all_headers | {"HX-Reswap": "none"}, "text/html")
    context = {"error": page}
    return pages.render(
        request, "errors/error.html", context, status_code=page.status, headers=all_headers
    )


async def _on_sign_in_required(request: Request, exc: Exception) -> Response:
    session = WebSession(request.session)
    ended = session.token is not None
    session.sign_out()
    message = "Your session has ended. Please sign in again." if ended else "Please sign in first."
    session.flash(message, kind="info")
    return redirect(request, f"/account/sign-in?next={quote(_return_path(request), safe='/')}")


def _return_path(request: Request) -> str:
    """Where to come back after signing in: this page, or for a form post the page it was on."""
    if request.method == "GET" and not is_htmx(request):
        return local_path(str(request.url.replace(scheme="", netloc="")))
    came_from = urlsplit(
        request.headers.get("HX-Current-URL") or request.headers.get("Referer") or ""
    )
    if came_from.netloc != request.url.netloc:
        return "/"
    return local_path(urlunsplit(("", "", came_from.path, came_from.query, "")))


async def _on_problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ProblemError)
    return render_error(
        request, error_page(status=exc.status, detail=exc.detail), headers=exc.headers
    )


async def _on_http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    return render_error(request, error_page(status=exc.status_code), headers=exc.headers)


async def _on_validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    # A malformed id in the path names nothing that exists; anything else was a bad form.
    in_path = any(error.get("loc", ("",))[0] == "path" for error in exc.errors())
    if in_path:
        return render_error(request, error_page(status=404))
    return render_error(request, error_page(status=400, detail="That request was not valid."))


async def _on_unexpected(request: Request, exc: Exception) -> Response:
    logger.exception("unhandled error", extra={"path": request.url.path})
    return render_error(request, error_page(status=500))


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def install_error_pages(app: FastAPI) -> None:
    """Make every error of the web app a page people can read."""
    app.add_exception_handler(SignInRequired, _on_sign_in_required)
    app.add_exception_handler(ProblemError, _on_problem)
    app.add_exception_handler(StarletteHTTPException, _on_http_exception)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(Exception, _on_unexpected)
