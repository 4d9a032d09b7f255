"""Liveness and readiness probes."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter
from sqlalchemy import text

from services.api.deps import StateDep
from services.common.problems import ServiceUnavailable, problem_responses

router = APIRouter(tags=["health"])
logger = logging.getLogger(__name__)


@router.get("/healthz", summary="Alive", description="The process answers.")
async def healthz() -> dict[str, str]:
    """Always ok while the process runs."""
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="Ready",
    description="The database and the inference service are reachable.",
    responses=problem_responses(503),
)
async def readyz(state: StateDep) -> dict[str, Any]:
    """Check the database and the inference service."""
    checks = {"database": await _database_ok(state), "inference": await state.inference.is_ready()}
    if not all(checks.values()):
        raise ServiceUnavailable(
            "Not ready.", headers={"Retry-After": "5"}, extensions={"checks": checks}
        )
    return {"status": "ready", "checks": checks}


async def _database_ok(state: StateDep) -> bool:
    try:
        async with state.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception:  # any failure means "not ready"
        logger.warning("database not reachable", exc_info=True)
        return False
    return True
