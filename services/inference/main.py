"""The inference service: `uvicorn services.inference.main:create_app --factory --port 8001`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI

from services.common.observability import configure_logging, install_observability
from services.common.openapi import install_openapi_fixes
from services.common.problems import install_problem_handlers, problem_responses
from services.common.uploads import BodySizeLimitMiddleware
from services.inference.config import InferenceSettings
from services.inference.detectors.lowlevel.routes import router as models_router
from services.inference.fingerprints.routes import router as fingerprints_router
from services.inference.health.routes import router as health_router
from services.inference.metrics import InferenceMetrics, MetricsMiddleware
from services.inference.predictions.routes import router as predictions_router
from services.inference.runtime import open_runtime
from services.inference.security import require_service_token


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Load and check the model before serving; warm it up; release everything at shutdown."""
    settings: InferenceSettings = app.state.settings
    if settings.environment != "test":
        configure_logging(service="inference", level=settings.log_level)
    async with open_runtime(settings=settings, metrics=app.state.metrics) as runtime:
        app.state.runtime = runtime
        try:
            yield
        finally:
            app.state.runtime = None


def create_app(settings: InferenceSettings | None = None) -> FastAPI:
    """Build the inference app; nothing heavy happens until its lifespan starts."""
    settings = settings or InferenceSettings()
    metrics = InferenceMetrics()
    app = FastAPI(
        title="Deepcatcher inference",
        summary="Was this image generated or manipulated by AI? A verdict with evidence.",
        version="1.0.0",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.metrics = metrics
    app.state.runtime = None
    install_problem_handlers(app)
    app.add_middleware(BodySizeLimitMiddleware, max_body_bytes=settings.max_request_bytes)
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    install_observability(app)
    for router in (predictions_router, models_router, fingerprints_router):
        app.include_router(
            router,
            dependencies=[Depends(require_service_token)],
            responses=problem_responses(401, 403),
        )
    app.include_router(health_router)
    install_openapi_fixes(app)
    return app
