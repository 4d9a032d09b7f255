"""The web service: `uvicorn services.web.main:create_app --factory --port 8000`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from services.common.observability import configure_logging, install_observability
from services.common.uploads import BodySizeLimitMiddleware
from services.web.about.routes import router as about_router
from services.web.account.routes import router as account_router
from services.web.bulk.routes import router as bulk_router
from services.web.check.routes import router as check_router
from services.web.clients.api import ApiClient
from services.web.clients.forwarding import BrowserAddressMiddleware, create_http_client
from services.web.clients.inference import InferenceClient
from services.web.config import WebSettings
from services.web.deps import AppState
from services.web.errors import install_error_pages
from services.web.health import router as health_router
from services.web.known_images.routes import router as known_images_router
from services.web.predictions.routes import router as predictions_router
from services.web.rendering import STATIC_DIR, Pages
from services.web.reports.routes import router as reports_router
from services.web.security.cookies import EncryptedSessionMiddleware
from services.web.security.csrf import verify_csrf
from services.web.security.headers import NoStoreMiddleware, SecurityHeadersMiddleware

# Front-end packages npm installs (pinned in package-lock.json): URL name -> folder, needed file.
VENDOR_ASSETS = {
    "htmx": (Path("htmx.org/dist"), "htmx.min.js"),
    "inter": (Path("@fontsource-variable/inter"), "index.css"),
}


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Open the HTTP clients to the API and inference services; close them at shutdown."""
    settings: WebSettings = app.state.settings
    api_http = create_http_client(
        base_url=settings.api_url,
        timeout_s=settings.api_timeout_s,
        transport=app.state.api_transport,
    )
    inference_http = create_http_client(
        base_url=settings.inference_url,
        timeout_s=settings.inference_timeout_s,
        token=settings.inference_token.get_secret_value() if settings.inference_token else None,
        transport=app.state.inference_transport,
    )
    app.state.web = AppState(
        settings=settings,
        api=ApiClient(http=api_http),
        inference=InferenceClient(http=inference_http),
        pages=app.state.pages,
    )
    try:
        yield
    finally:
        await api_http.aclose()
        await inference_http.aclose()


def create_app(
    settings: WebSettings | None = None,
    *,
    api_transport: httpx.AsyncBaseTransport | None = None,
    inference_transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    """The web service's ASGI app; the transports replace the network (tests, embedding)."""
    settings = settings or WebSettings()
    configure_logging(service="web", level=settings.log_level)
    app = FastAPI(
        title="Deepcatcher web",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        dependencies=[Depends(verify_csrf)],
    )
    app.state.settings = settings
    app.state.api_transport = api_transport
    app.state.inference_transport = inference_transport
    app.state.pages = Pages(settings=settings)
    install_error_pages(app)
    _install_middleware(app, settings=settings)
    _mount_static(app, settings=settings)
    for router in (
        check_router,
        bulk_router,
        predictions_router,
        reports_router,
        known_images_router,
        account_router,
        about_router,
        health_router,
    ):
        app.include_router(router)
    return app


def _install_middleware(app: FastAPI, *, settings: WebSettings) -> None:
    """Sessions inside, then limits, headers, request ids, the access log, forwarded addresses."""
    app.add_middleware(
        EncryptedSessionMiddleware,
        secret_key=settings.secret_key.get_secret_value(),
        cookie="deepcatcher_session",
        max_age_s=settings.session_max_age_s,
        https_only=settings.session_cookie_secure,
    )
    app.add_middleware(BodySizeLimitMiddleware, max_body_bytes=settings.max_request_bytes)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(NoStoreMiddleware)
    app.add_middleware(BrowserAddressMiddleware)
    install_observability(app)
    # Outermost: the address forwarded to the API is the one the trusted proxies name, or the peer.
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)


def _mount_static(app: FastAPI, *, settings: WebSettings) -> None:
    """Our own CSS and JS, and the front-end packages as npm installed them."""
    for name, (folder, needed) in VENDOR_ASSETS.items():
        directory = settings.assets_dir / folder
        if not (directory / needed).is_file():
            raise RuntimeError(
                f"{directory / needed} is missing: install the web's front-end packages with "
                "`npm ci --prefix services/web`."
            )
        app.mount(f"/static/vendor/{name}", StaticFiles(directory=directory), name=name)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
