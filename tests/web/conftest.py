"""Fixtures for the web service's tests: the web app in front of the real API and inference."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.api.config import ApiSettings
from services.api.main import create_app as create_api_app
from services.web.config import WebSettings
from services.web.main import create_app as create_web_app
from tests.conftest import InferenceService
from tests.support.apps import INFERENCE_TOKEN, in_process, lifespan_of
from tests.support.transports import RecordingTransport

WEB_SECRET = "web-test-secret-that-is-long-enough-0123456789"


ApiAppFactory = Callable[..., AbstractAsyncContextManager[FastAPI]]


@pytest.fixture
def make_api_app(
    api_settings: ApiSettings, inference_transport: RecordingTransport, clean_database: None
) -> ApiAppFactory:
    """Start the real API service in-process, optionally with settings changed."""

    @asynccontextmanager
    async def start(
        transport: httpx.AsyncBaseTransport | None = None, **overrides: Any
    ) -> AsyncIterator[FastAPI]:
        settings = api_settings.model_copy(update=overrides)
        app = create_api_app(settings, inference_transport=transport or inference_transport)
        async with lifespan_of(app) as manager:
            yield manager.app  # type: ignore[misc]

    return start


@pytest.fixture
async def api_app(make_api_app: ApiAppFactory) -> AsyncIterator[FastAPI]:
    """The real API service on the test database, talking to the real inference service."""
    async with make_api_app() as app:
        yield app


@pytest.fixture
def web_settings() -> WebSettings:
    """Web settings for tests: the services are reached through in-process transports."""
    return WebSettings(
        environment="test",
        secret_key=WEB_SECRET,
        api_url="http://api.test",
        api_public_url="http://localhost:8002",
        inference_url="http://inference.test",
        inference_token=INFERENCE_TOKEN,
        # The test client speaks plain HTTP, so it would not send a Secure cookie back.
        secure_cookies=False,
    )


WebFactory = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
def make_web(
    api_app: FastAPI, inference_service: InferenceService, web_settings: WebSettings
) -> WebFactory:
    """Start a web app (other transports or settings optional); yields a browser-like client."""

    @asynccontextmanager
    async def start(
        *,
        api_transport: httpx.AsyncBaseTransport | None = None,
        inference_transport: httpx.AsyncBaseTransport | None = None,
        **overrides: Any,
    ) -> AsyncIterator[httpx.AsyncClient]:
        app = create_web_app(
            web_settings.model_copy(update=overrides),
            api_transport=api_transport or httpx.ASGITransport(app=api_app),
            inference_transport=inference_transport or inference_service.transport(),
        )
        async with in_process(app, base_url="http://web.test") as client:
            yield client

    return start


@pytest.fixture
async def web(make_web: WebFactory) -> AsyncIterator[httpx.AsyncClient]:
    """A client for the web app, like a browser with cookies, not following redirects."""
    async with make_web() as client:
        yield client


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker that selects the real-browser tests (`pytest -m browser`)."""
    config.addinivalue_line("markers", "browser: real-browser tests driving Debian's Chromium")
