"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel

from services.common.problems import ServiceUnavailable, problem_responses
from services.inference.deps import MetricsDep, OptionalRuntimeDep
from services.inference.predictions.fusion import served_version
from services.inference.security import require_metrics_token
from services.inference.selfcheck.service import require_passed

router = APIRouter(tags=["health"])


class Health(BaseModel):
    """A probe's answer."""

    status: str
    model: str | None = None
    version: str | None = None


class NotReady(ServiceUnavailable):
    slug = "not-ready"


@router.get("/healthz", summary="Liveness")
async def healthz() -> Health:
    """The process is up and answering."""
    return Health(status="ok")


@router.get("/readyz", summary="Readiness", responses=problem_responses(503))
async def readyz(runtime: OptionalRuntimeDep) -> Health:
    """Ready once the model is loaded and warmed up and the self-check has not failed."""
    if runtime is not None and runtime.self_check.status == "failed":
        require_passed(runtime.self_check)
    if runtime is None or not runtime.ready:
        reason = (runtime and runtime.warmup_error) or "The model is loading or warming up."
        raise NotReady(reason, headers={"Retry-After": "5"})
    version = served_version(model_sha256=runtime.loaded.version, fused=runtime.pipeline.fused)
    return Health(status="ready", model=runtime.loaded.card.name, version=version)


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    include_in_schema=False,
    dependencies=[Depends(require_metrics_token)],
)
async def metrics(metrics: MetricsDep) -> Response:
    """Every metric in Prometheus text format."""
    return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)
