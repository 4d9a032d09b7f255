"""A database that cannot be reached is a 503 to retry, never a 500 with SQL in it."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from services.common.problems import ServiceUnavailable, problem_response

logger = logging.getLogger("deepcatcher.errors")
RETRY_AFTER_S = "5"


class DatabaseUnavailable(ServiceUnavailable):
    slug = "database-unavailable"


async def _on_database_down(request: Request, exc: Exception) -> JSONResponse:
    logger.warning("database unavailable", exc_info=exc, extra={"path": request.url.path})
    error = DatabaseUnavailable(
        "The database is unavailable; nothing was changed. Try again shortly.",
        headers={"Retry-After": RETRY_AFTER_S},
    )
    return problem_response(error.to_problem(instance=request.url.path), headers=error.headers)


# SQLSTATE classes of a lost or refused connection: 08 connection exception, 57P operator
# intervention (admin shutdown, crash shutdown, "the database system is starting up").
UNAVAILABLE_SQLSTATES = ("08", "57P")


def is_unavailable(exc: DBAPIError) -> bool:
    """Whether a database error means "not reachable now" rather than a bug or bad data."""
    sqlstate = str(getattr(exc.orig, "sqlstate", "") or "")
    return exc.connection_invalidated or sqlstate.startswith(UNAVAILABLE_SQLSTATES)


async def _on_dbapi_error(request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, DBAPIError) and is_unavailable(exc):
        return await _on_database_down(request, exc)
    raise exc


def install_database_error_handlers(app: FastAPI) -> None:
    """Answer 503 + Retry-After when the database connection fails."""
    for error in (OperationalError, InterfaceError, ConnectionError):
        app.add_exception_handler(error, _on_database_down)
    app.add_exception_handler(DBAPIError, _on_dbapi_error)
