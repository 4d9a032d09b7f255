"""Liveness and readiness probes for the web service."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from services.web.deps import ApiDep

router = APIRouter(include_in_schema=False)


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """Always ok while the process runs."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(api: ApiDep) -> JSONResponse:
    """Ready when the API service answers its own readiness probe."""
    ready = await api.is_ready()
    return JSONResponse({"status": "ready" if ready else "not ready"}, 200 if ready else 503)
