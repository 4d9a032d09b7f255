"""The API service: users, prediction history and reports, in front of the inference service."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from services.api.admin.routes import router as admin_router
from services.api.auth.api_keys_routes import router as api_keys_router
from services.api.auth.routes import router as auth_router
from services.api.clients.inference import inference_client_for
from services.api.config import ApiSettings
from services.api.db.engine import create_engine, create_session_factory
from services.api.db.errors import install_database_error_handlers
from services.api.deps import AppState
from services.api.health.routes import router as health_router
from services.api.images.storage import LocalImageStorage
from services.api.jobs.queue import JobQueue
from services.api.jobs.routes import router as jobs_router
from services.api.known_images.follower import IndexFollower, follow, refresh_once
from services.api.known_images.routes import router as known_images_router
from services.api.links.fetcher import LinkFetcher, link_limits
from services.api.openapi import add_examples_and_tags
from services.api.predictions.coalescing import InflightChecks
from services.api.predictions.routes import router as predictions_router
from services.api.ratelimit.limiter import RateLimiter
from services.api.reports.routes import router as reports_router
from services.api.users.routes import router as users_router
from services.common.observability import configure_logging, install_observability
from services.common.openapi import install_openapi_fixes
from services.common.problems import install_problem_handlers
from services.common.uploads import BodySizeLimitMiddleware

DESCRIPTION = """
Deepcatcher tells whether an image was generated or manipulated by AI, with the evidence.

Authenticate with a bearer token from `POST /v1/auth/token`, or with an API key from
`POST /v1/api-keys` sent as `Authorization: Bearer <key>` or `X-API-Key: <key>`.
Every error is an RFC 9457 `application/problem+json` body. Every response carries `X-Request-ID`.

**Python client**: `deepcatcher-client` (in the repository's `clients/python/`; install it with
`pip install clients/python`) wraps every operation below with typed answers, retries and
webhook verification; its `deepcatcher-check PATH... --server URL` checks whole folders.
"""


def _build_state(
    settings: ApiSettings, inference_transport: httpx.AsyncBaseTransport | None
) -> AppState:
    engine = create_engine(
        url=settings.database_url,
        statement_cache_size=settings.database_statement_cache_size,
        pool_size=settings.database_pool_size,
    )
    limits = {
        "anonymous": settings.rate_limit_anonymous,
        "user": settings.rate_limit_user,
        "api_key": settings.rate_limit_api_key,
        "auth": settings.rate_limit_auth,
    }
    return AppState(
        settings=settings,
        engine=engine,
        sessions=create_session_factory(engine),
        storage=LocalImageStorage(root=settings.image_dir),
        inference=inference_client_for(settings, transport=inference_transport),
        inflight=InflightChecks(),
        rate_limiter=RateLimiter(storage_uri=settings.rate_limit_storage_uri, limits=limits),
        queue=JobQueue(url=settings.queue_url, queue_name=settings.queue_name),
        known=IndexFollower(),
        links=LinkFetcher(limits=link_limits(settings)),
    )


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Build the engine, clients and limiter at start-up; close them at shutdown."""
    state = _build_state(app.state.settings, app.state.inference_transport)
    app.state.deepcatcher = state
    await refresh_once(follower=state.known, sessions=state.sessions)
    following = asyncio.create_task(
        follow(
            follower=state.known,
            sessions=state.sessions,
            every_s=state.settings.known_images_refresh_s,
        )
    )
    try:
        yield
    finally:
        following.cancel()
        await state.inference.http.aclose()
        await state.links.aclose()
        await state.queue.close()
        await state.engine.dispose()


def create_app(
    settings: ApiSettings | None = None,
    *,
    inference_transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    """The API service's ASGI app; `inference_transport` replaces the network (tests, embedding)."""
    settings = settings or ApiSettings()
    configure_logging(service="api", level=settings.log_level)
    app = FastAPI(
        title="Deepcatcher API",
        version="1.0.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        license_info={"name": "MIT"},
    )
    app.state.settings = settings
    app.state.inference_transport = inference_transport
    install_problem_handlers(app)
    install_database_error_handlers(app)
    app.add_middleware(
        BodySizeLimitMiddleware,
        max_body_bytes=settings.max_request_bytes,
        max_other_body_bytes=settings.max_json_body_bytes,
    )
    install_observability(app)
    # Outermost, so limits and logs see the client the trusted proxies name, and only theirs.
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    for router in (
        health_router,
        auth_router,
        users_router,
        api_keys_router,
        predictions_router,
        jobs_router,
        reports_router,
        admin_router,
        known_images_router,
    ):
        app.include_router(router)
    install_openapi_fixes(app)
    add_examples_and_tags(app)
    return app
