"""Fixtures for the inference service: a tiny model built once, and apps started on demand."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.inference.config import InferenceSettings
from services.inference.main import create_app
from tests.inference.support import wait_until_ready, wait_until_started
from tests.support.apps import INFERENCE_AUTH, INFERENCE_TOKEN, in_process
from tests.support.models import write_tiny_model

ServiceFactory = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small untrained .keras model with a valid card (crop 32, at most 4 crops)."""
    return write_tiny_model(folder=tmp_path_factory.mktemp("inference-model"))


@pytest.fixture
def make_settings(tiny_model: Path) -> Callable[..., InferenceSettings]:
    """Test settings for the tiny model, with any field overridden."""

    def make(**overrides: Any) -> InferenceSettings:
        fields: dict[str, Any] = {
            "environment": "test",
            "service_token": INFERENCE_TOKEN,
            "model_path": tiny_model,
            "batch_max_wait_ms": 2.0,
            "preprocess_workers": 2,
            **overrides,
        }
        return InferenceSettings(**fields)

    return make


@pytest.fixture
def start_service(make_settings: Callable[..., InferenceSettings]) -> ServiceFactory:
    """Start an inference app with some settings changed; yields a client once it is ready, or
    once its self-check at start has failed."""

    @asynccontextmanager
    async def start(**overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
        app = create_app(make_settings(**overrides))
        async with in_process(
            app, base_url="http://inference.test", headers=INFERENCE_AUTH
        ) as client:
            await wait_until_started(client)
            yield client

    return start


@pytest.fixture(scope="session")
async def service(tiny_model: Path) -> AsyncIterator[httpx.AsyncClient]:
    """One inference app with default test settings, shared by tests that only read from it."""
    settings = InferenceSettings(
        environment="test",
        service_token=INFERENCE_TOKEN,
        model_path=tiny_model,
        batch_max_wait_ms=2.0,
    )
    app = create_app(settings)
    async with in_process(app, base_url="http://inference.test", headers=INFERENCE_AUTH) as client:
        await wait_until_ready(client)
        yield client
