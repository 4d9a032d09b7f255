"""Dynamic batching: merged model calls, back-pressure, and failures kept to their own batch."""

from __future__ import annotations

import asyncio
import threading

import numpy as np
import pytest

from services.inference.detectors.lowlevel.batcher import (
    DynamicBatcher,
    ModelFailed,
    ModelTimeout,
    QueueFull,
)
from services.inference.metrics import InferenceMetrics
from tests.inference.conftest import ServiceFactory
from tests.inference.support import metric_value
from tests.support.images import jpeg, png


async def test_concurrent_requests_share_model_calls(start_service: ServiceFactory) -> None:
    async with start_service(batch_max_size=8, batch_max_wait_ms=300) as client:
        responses = await asyncio.gather(
            *(client.post("/v1/predict", files={"file": ("a.jpg", jpeg(seed=i))}) for i in range(8))
        )
        metrics = (await client.get("/metrics")).text

    assert [r.status_code for r in responses] == [200] * 8
    batches = metric_value(metrics, "deepcatcher_inference_batch_size_count")
    images = metric_value(metrics, "deepcatcher_inference_batch_size_sum")
    # Warm-up calls the model directly, so only the eight requests reach the batcher.
    assert images == 8
    assert batches < 8, f"8 concurrent images took {batches} model calls"


async def test_a_lone_request_does_not_wait_for_company(start_service: ServiceFactory) -> None:
    async with start_service(batch_max_size=8, batch_max_wait_ms=5_000) as client:
        response = await client.post("/v1/predict", files={"file": ("a.jpg", jpeg())})

    # Nothing else was admitted, so the batch closed at once instead of after 5 s.
    assert response.json()["timings_ms"]["model"] < 2_000


async def test_batch_size_one_turns_batching_off(start_service: ServiceFactory) -> None:
    async with start_service(batch_max_size=1, batch_max_wait_ms=300) as client:
        await asyncio.gather(
            *(client.post("/v1/predict", files={"file": ("a.jpg", jpeg(seed=i))}) for i in range(4))
        )
        metrics = (await client.get("/metrics")).text

    assert metric_value(metrics, "deepcatcher_inference_batch_size_count") == 4


async def test_full_queue_answers_503_with_retry_after(start_service: ServiceFactory) -> None:
    # One slot, held while a large image decodes: the other concurrent requests must be refused.
    large = png(seed=1, width=1200, height=900)
    async with start_service(queue_max_size=1, batch_max_size=1) as client:
        responses = await asyncio.gather(
            *(client.post("/v1/predict", files={"file": ("a.png", large)}) for _ in range(4))
        )
        metrics = (await client.get("/metrics")).text

    refused = [r for r in responses if r.status_code == 503]
    assert any(r.status_code == 200 for r in responses)
    assert refused
    assert all(r.headers["retry-after"] == "1" for r in refused)
    assert all(r.headers["content-type"] == "application/problem+json" for r in refused)
    assert refused[0].json()["type"] == "urn:deepcatcher:problem:queue-full"
    assert metric_value(metrics, "deepcatcher_inference_rejected_total") == len(refused)


async def test_batch_endpoint_answers_each_file_in_order(start_service: ServiceFactory) -> None:
    files = [
        ("files", ("first.jpg", jpeg(seed=1))),
        ("files", ("notes.txt", b"not an image")),
        ("files", ("third.png", png(seed=3))),
    ]
    async with start_service(batch_max_wait_ms=100) as client:
        response = await client.post("/v1/predict/batch", files=files)

    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["filename"] for r in results] == ["first.jpg", "notes.txt", "third.png"]
    assert results[0]["result"]["image"]["format"] == "JPEG"
    assert results[1]["result"] is None
    assert results[1]["problem"]["status"] == 415
    assert results[2]["result"]["image"]["format"] == "PNG"


async def test_batch_endpoint_refuses_too_many_files(start_service: ServiceFactory) -> None:
    files = [("files", (f"{i}.jpg", jpeg(seed=i))) for i in range(3)]
    async with start_service(max_files_per_request=2) as client:
        response = await client.post("/v1/predict/batch", files=files)

    assert response.status_code == 422
    assert response.json()["type"] == "urn:deepcatcher:problem:too-many-files"


def crops_marked(value: int, count: int = 2) -> np.ndarray:
    return np.full((count, 4, 4, 3), value, np.uint8)


def fails_on_marked_batches(crops: np.ndarray) -> np.ndarray:
    """A stand-in model whose batch fails when a crop is all 255 (a real one can't be made to)."""
    if (crops.reshape(len(crops), -1) == 255).all(axis=1).any():
        raise RuntimeError("simulated device failure")
    return crops.reshape(len(crops), -1)[:, 0].astype(np.float32)


def make_batcher(run, **overrides) -> DynamicBatcher:
    options = {
        "run": run,
        "max_batch_size": 4,
        "max_wait_s": 0.05,
        "capacity": 16,
        "timeout_s": 5.0,
        "retry_after_s": 1,
        "metrics": InferenceMetrics(),
    }
    return DynamicBatcher(**{**options, **overrides})


async def test_a_failing_batch_fails_only_its_own_requests() -> None:
    batcher = make_batcher(fails_on_marked_batches, max_batch_size=2)
    batcher.start()
    try:
        # Two batches of two: (1, 255) fails together; (3, 4) is untouched.
        first = [asyncio.ensure_future(batcher.logits(crops_marked(v))) for v in (1, 255)]
        await asyncio.sleep(0.01)
        second = [asyncio.ensure_future(batcher.logits(crops_marked(v))) for v in (3, 4)]
        outcomes = await asyncio.gather(*first, *second, return_exceptions=True)
    finally:
        await batcher.stop()

    assert all(isinstance(outcome, ModelFailed) for outcome in outcomes[:2])
    untouched = [o.tolist() for o in outcomes[2:] if isinstance(o, np.ndarray)]
    assert untouched == [[3.0, 3.0], [4.0, 4.0]]


async def test_each_request_gets_its_own_crops_logits() -> None:
    batcher = make_batcher(fails_on_marked_batches, max_batch_size=8)
    batcher.start()
    try:
        outcomes = await asyncio.gather(
            *(batcher.logits(crops_marked(v, count=v)) for v in (1, 2, 3, 5))
        )
    finally:
        await batcher.stop()

    assert [outcome.tolist() for outcome in outcomes] == [[v] * v for v in (1, 2, 3, 5)]


async def test_a_slow_model_times_out_with_503() -> None:
    release = threading.Event()

    def stuck(crops: np.ndarray) -> np.ndarray:
        release.wait(5)
        return np.zeros(len(crops), np.float32)

    batcher = make_batcher(stuck, timeout_s=0.1)
    batcher.start()
    try:
        with pytest.raises(ModelTimeout) as raised:
            await batcher.logits(crops_marked(1))
    finally:
        release.set()
        await batcher.stop()

    assert raised.value.headers["Retry-After"] == "1"


async def test_admission_refuses_beyond_capacity() -> None:
    batcher = make_batcher(fails_on_marked_batches, capacity=2)
    async with batcher.admit(), batcher.admit():
        with pytest.raises(QueueFull):
            async with batcher.admit():
                pass
    async with batcher.admit():  # slots are given back
        pass
    await batcher.stop()
