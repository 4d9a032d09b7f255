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


async def _on_dbapi_error(request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return await _on_database_down(request, exc)
    raise exc


def install_database_error_handlers(app: FastAPI) -> None:
    """Answer 503 + Retry-After when the database connection fails."""
    for error in (OperationalError, InterfaceError, ConnectionError):
        app.add_exception_handler(error, _on_database_down)
    app.add_exception_handler(DBAPIError, _on_dbapi_error)
