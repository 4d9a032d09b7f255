"""Fixtures shared by every test: a migrated database, the real inference service, the API."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine

from services.api.config import ApiSettings
from services.api.db import migrate
from services.api.db.engine import create_engine
from services.api.db.models import Base
from services.api.main import create_app as create_api_app
from tests.support.apps import INFERENCE_AUTH, INFERENCE_TOKEN, in_process, lifespan_of
from tests.support.databases import temporary_database
from tests.support.models import write_tiny_model
from tests.support.transports import RecordingTransport

TEST_SECRET = "test-secret-that-is-long-enough-0123456789"


@pytest.fixture(scope="session")
async def database_url(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    """A migrated database for the whole run (PostgreSQL when CI names one)."""
    async with temporary_database(folder=tmp_path_factory.mktemp("db")) as url:
        engine = create_engine(url=url)
        await migrate.upgrade(engine=engine)
        await engine.dispose()
        yield url


@pytest.fixture(scope="session")
async def db_engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine for looking at the database directly."""
    engine = create_engine(url=database_url)
    yield engine
    await engine.dispose()


async def _empty_tables(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            await connection.execute(delete(table))


@pytest.fixture
async def clean_database(db_engine: AsyncEngine) -> AsyncIterator[None]:
    """Every test starts and ends with empty tables."""
    await _empty_tables(db_engine)
    yield
    await _empty_tables(db_engine)


class InferenceService:
    """The real inference service, in-process with a tiny model, started on first use."""

    def __init__(self, *, folder: Path) -> None:
        self.folder = folder
        self._lifespan: LifespanManager | None = None

    async def app(self) -> FastAPI:
        """The running app (loading TensorFlow and the model the first time)."""
        if self._lifespan is None:
            from services.inference.config import InferenceSettings
            from services.inference.main import create_app as create_inference_app

            settings = InferenceSettings(
                environment="test",
                service_token=INFERENCE_TOKEN,
                model_path=write_tiny_model(folder=self.folder),
                batch_max_wait_ms=1.0,
            )
            self._lifespan = lifespan_of(create_inference_app(settings))
            await self._lifespan.__aenter__()
            await _wait_until_ready(self._lifespan.app)  # type: ignore[arg-type]
        app: FastAPI = self._lifespan.app  # type: ignore[assignment]
        return app

    def transport(self) -> RecordingTransport:
        """A fresh recording transport to the app, started by the first request through it."""
        return RecordingTransport(_StartingTransport(self))

    async def close(self) -> None:
        """Shut the app down if it was started."""
        if self._lifespan is not None:
            await self._lifespan.__aexit__(None, None, None)


async def _wait_until_ready(app: FastAPI, *, timeout_s: float = 120.0) -> None:
    """Wait for the inference service's warm-up, as a deployment's readiness probe would."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://inference.test", headers=INFERENCE_AUTH
    ) as client:
        deadline = asyncio.get_running_loop().time() + timeout_s
        while (await client.get("/readyz")).status_code != 200:
            assert asyncio.get_running_loop().time() < deadline, "inference never became ready"
            await asyncio.sleep(0.1)


class _StartingTransport(httpx.AsyncBaseTransport):
    def __init__(self, service: InferenceService) -> None:
        self.service = service

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        app = await self.service.app()
        return await httpx.ASGITransport(app=app).handle_async_request(request)


@pytest.fixture(scope="session")
async def inference_service(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[InferenceService]:
    """The real inference service, shared by the whole run."""
    service = InferenceService(folder=tmp_path_factory.mktemp("models"))
    yield service
    await service.close()


@pytest.fixture
def inference_transport(inference_service: InferenceService) -> RecordingTransport:
    """The way to the inference service, noting every request the API sends."""
    return inference_service.transport()


@pytest.fixture
def api_settings(database_url: str, tmp_path: Path) -> ApiSettings:
    """API settings for tests: the test database, a temporary image folder, loose limits."""
    return ApiSettings(
        environment="test",
        secret_key=TEST_SECRET,
        database_url=database_url,
        image_dir=tmp_path / "images",
        inference_url="http://inference.test",
        inference_token=INFERENCE_TOKEN,
        rate_limit_anonymous="1000/minute",
        rate_limit_user="1000/minute",
        rate_limit_api_key="1000/minute",
        rate_limit_auth="1000/minute",
    )


ApiFactory = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
def make_api(
    api_settings: ApiSettings, inference_transport: RecordingTransport, clean_database: None
) -> ApiFactory:
    """Start an API app with some settings changed; yields a client for it.

    Unless given another transport, the API talks to the real in-process inference service,
    which is only loaded when a test first needs it.
    """

    @asynccontextmanager
    async def start(
        transport: httpx.AsyncBaseTransport | None = None, **overrides: Any
    ) -> AsyncIterator[httpx.AsyncClient]:
        settings = api_settings.model_copy(update=overrides)
        app = create_api_app(settings, inference_transport=transport or inference_transport)
        async with in_process(app, base_url="http://api.test") as client:
            yield client

    return start


@pytest.fixture
async def client(make_api: ApiFactory) -> AsyncIterator[httpx.AsyncClient]:
    """A client for the API service with default test settings."""
    async with make_api() as api_client:
        yield api_client
