"""The shared service token: every route but the probes needs it; /metrics has its own."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.inference.config import InferenceSettings
from tests.inference.conftest import ServiceFactory
from tests.support.api import assert_problem
from tests.support.apps import INFERENCE_TOKEN
from tests.support.images import jpeg

METRICS_TOKEN = "metrics-test-token-that-is-long-enough-0123"


async def test_requests_without_or_with_a_wrong_token_are_refused(
    start_service: ServiceFactory,
) -> None:
    async with start_service() as client:
        accepted = await client.get("/v1/models")
        wrong = await client.get("/v1/models", headers={"Authorization": "Bearer not-the-token"})
        del client.headers["Authorization"]
        missing = await client.post("/v1/predict", files={"file": ("a.jpg", jpeg())})
        probes = [(await client.get(path)).status_code for path in ("/healthz", "/readyz")]
    assert accepted.status_code == 200
    assert assert_problem(wrong, 403)["type"] == "urn:deepcatcher:problem:service-token-wrong"
    assert assert_problem(missing, 401)["type"] == "urn:deepcatcher:problem:service-token-required"
    assert missing.headers["WWW-Authenticate"] == "Bearer"
    assert probes == [200, 200]


async def test_metrics_stay_open_unless_they_have_their_own_token(
    start_service: ServiceFactory,
) -> None:
    async with start_service() as client:
        del client.headers["Authorization"]
        open_metrics = await client.get("/metrics")
    async with start_service(metrics_token=METRICS_TOKEN) as client:
        with_service_token = await client.get("/metrics")
        with_metrics_token = await client.get(
            "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}
        )
    assert open_metrics.status_code == 200
    assert_problem(with_service_token, 403)
    assert with_metrics_token.status_code == 200
    assert "deepcatcher_inference_http_requests" in with_metrics_token.text


def test_outside_development_a_service_token_is_required() -> None:
    for environment in ("production", "test"):
        with pytest.raises(ValidationError, match="SERVICE_TOKEN"):
            InferenceSettings(environment=environment)
        with pytest.raises(ValidationError, match="SERVICE_TOKEN"):
            InferenceSettings(environment=environment, service_token="short")
    assert InferenceSettings(environment="production", service_token=INFERENCE_TOKEN).service_token
    assert InferenceSettings(environment="development").service_token is None
