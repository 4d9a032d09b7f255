"""Typed dependencies: what routes may ask for, all built in the app's lifespan."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.common.problems import ServiceUnavailable
from services.inference.config import InferenceSettings
from services.inference.metrics import InferenceMetrics
from services.inference.predictions.service import Pipeline
from services.inference.runtime import Runtime
from services.inference.selfcheck.service import require_passed


class NotLoaded(ServiceUnavailable):
    slug = "model-not-loaded"


def get_settings(request: Request) -> InferenceSettings:
    """The app's settings."""
    settings: InferenceSettings = request.app.state.settings
    return settings


def get_metrics(request: Request) -> InferenceMetrics:
    """The app's own metrics registry."""
    metrics: InferenceMetrics = request.app.state.metrics
    return metrics


def get_optional_runtime(request: Request) -> Runtime | None:
    """The runtime, or None before start-up finished and after shutdown began."""
    runtime: Runtime | None = getattr(request.app.state, "runtime", None)
    return runtime


def get_runtime(request: Request) -> Runtime:
    """The loaded model and pipeline, or 503 while the service starts or stops."""
    runtime: Runtime | None = getattr(request.app.state, "runtime", None)
    if runtime is None:
        raise NotLoaded("The model is not loaded.", headers={"Retry-After": "5"})
    return runtime


def get_pipeline(runtime: Annotated[Runtime, Depends(get_runtime)]) -> Pipeline:
    """The prediction pipeline."""
    return runtime.pipeline


def get_checked_pipeline(runtime: Annotated[Runtime, Depends(get_runtime)]) -> Pipeline:
    """The prediction pipeline, once the self-check at start let verdicts through (else 503)."""
    require_passed(runtime.self_check)
    return runtime.pipeline


SettingsDep = Annotated[InferenceSettings, Depends(get_settings)]
MetricsDep = Annotated[InferenceMetrics, Depends(get_metrics)]
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
OptionalRuntimeDep = Annotated[Runtime | None, Depends(get_optional_runtime)]
PipelineDep = Annotated[Pipeline, Depends(get_pipeline)]
CheckedPipelineDep = Annotated[Pipeline, Depends(get_checked_pipeline)]
