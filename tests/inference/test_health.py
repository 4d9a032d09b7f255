"""Probes, metrics and the model description."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from services.inference.config import InferenceSettings
from services.inference.main import create_app
from tests.inference.conftest import ServiceFactory
from tests.inference.support import metric_value
from tests.support.apps import INFERENCE_AUTH
from tests.support.images import jpeg


async def test_probes_answer_once_warm(service: httpx.AsyncClient) -> None:
    health = await service.get("/healthz")
    ready = await service.get("/readyz")

    assert health.json() == {"status": "ok", "model": None, "version": None}
    assert ready.status_code == 200
    assert ready.json()["model"] == "tiny"


async def test_before_start_up_nothing_claims_to_be_ready(
    make_settings: Callable[..., InferenceSettings],
) -> None:
    app = create_app(make_settings())  # lifespan not run: no model loaded
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://inference.test", headers=INFERENCE_AUTH
    ) as client:
        health = await client.get("/healthz")
        ready = await client.get("/readyz")
        predict = await client.post("/v1/predict", files={"file": ("a.jpg", jpeg())})

    assert health.status_code == 200
    assert (ready.status_code, predict.status_code) == (503, 503)
    assert ready.headers["retry-after"] == "5"
    assert predict.json()["type"] == "urn:deepcatcher:problem:model-not-loaded"


async def test_metrics_cover_requests_latency_batches_queue_and_load_time(
    start_service: ServiceFactory,
) -> None:
    async with start_service() as client:
        await client.post("/v1/predict", files={"file": ("a.jpg", jpeg())})
        await client.post("/v1/predict", files={"file": ("a.txt", b"text")})
        response = await client.get("/metrics")

    text = response.text
    assert response.headers["content-type"].startswith("text/plain")
    requests = "deepcatcher_inference_http_requests_total"
    assert f'{requests}{{method="POST",route="/v1/predict",status="200"}} 1.0' in text
    assert f'{requests}{{method="POST",route="/v1/predict",status="415"}} 1.0' in text
    assert 'deepcatcher_inference_http_request_seconds_count{route="/v1/predict"} 2.0' in text
    assert metric_value(text, "deepcatcher_inference_batch_size_count") == 1
    assert metric_value(text, "deepcatcher_inference_queue_depth") == 0
    assert metric_value(text, "deepcatcher_inference_in_flight") == 0
    assert metric_value(text, "deepcatcher_inference_model_load_seconds") > 0
    assert 'deepcatcher_inference_stage_seconds_count{stage="decode"} 1.0' in text


async def test_two_apps_in_one_process_keep_their_own_metrics(
    start_service: ServiceFactory,
) -> None:
    async with start_service() as first, start_service() as second:
        await first.post("/v1/predict", files={"file": ("a.jpg", jpeg())})
        first_metrics = (await first.get("/metrics")).text
        second_metrics = (await second.get("/metrics")).text

    assert metric_value(first_metrics, "deepcatcher_inference_batch_size_count") == 1
    assert metric_value(second_metrics, "deepcatcher_inference_batch_size_count") == 0


async def test_models_describes_the_card_and_file(service: httpx.AsyncClient) -> None:
    (model,) = (await service.get("/v1/models")).json()["models"]

    assert model["name"] == "tiny"
    assert len(model["version"]) == 64
    assert model["input"]["crop_size"] == 32
    assert model["thresholds"] == {"real_below": 0.3, "fake_above": 0.7, "target": "test model"}
    assert model["calibration"] == {"method": "temperature", "temperature": 1.0}
    assert (model["device"], model["precision"], model["ready"]) == ("cpu", "float32", True)


async def test_openapi_documents_the_endpoints(service: httpx.AsyncClient) -> None:
    paths = (await service.get("/openapi.json")).json()["paths"]

    assert {"/v1/predict", "/v1/predict/batch", "/v1/models", "/healthz", "/readyz"} <= set(paths)
    assert "503" in paths["/v1/predict"]["post"]["responses"]
