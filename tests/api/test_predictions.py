"""Checking images through the real inference service: anonymous, saved, reused, idempotent."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.ext.asyncio import AsyncEngine

from services.api.config import ApiSettings
from tests.conftest import ApiFactory, InferenceService
from tests.support import images
from tests.support.api import (
    JPEG,
    PNG,
    WEBP,
    assert_problem,
    count_rows,
    create_prediction,
    predict,
    sign_up,
)
from tests.support.transports import RecordingTransport

VERDICTS = {"real", "fake", "uncertain"}


def stored_files(settings: ApiSettings) -> list[Path]:
    return [p for p in Path(settings.image_dir).rglob("*") if p.is_file()]


async def test_anonymous_prediction_is_answered_but_not_saved(
    client: httpx.AsyncClient, db_engine: AsyncEngine, api_settings: ApiSettings
) -> None:
    response = await predict(client, ("a.jpg", images.jpeg(seed=1), JPEG))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["saved"] is False
    item = body["items"][0]
    assert (item["index"], item["filename"], item["status"]) == (0, "a.jpg", "ok")
    prediction = item["prediction"]
    assert prediction["id"] is None
    assert prediction["verdict"] in VERDICTS
    assert 0.0 <= prediction["score"] <= 1.0
    assert {signal["name"] for signal in prediction["signals"]} >= {"model", "provenance"}
    assert len(prediction["model"]["version"]) == 64
    assert prediction["image"] | {"sha256": ""} == {
        "sha256": "",
        "mime_type": "image/jpeg",
        "width": 192,
        "height": 160,
        "byte_size": len(images.jpeg(seed=1)),
    }
    assert await count_rows(db_engine, "predictions") == 0
    assert await count_rows(db_engine, "images") == 0
    assert stored_files(api_settings) == []


async def test_signed_in_prediction_is_saved_with_its_image(client: httpx.AsyncClient) -> None:
    headers = await sign_up(client, "ada@example.org")
    data = images.jpeg(seed=2)
    prediction = await create_prediction(client, headers, data)
    detail = await client.get(f"/v1/predictions/{prediction['id']}", headers=headers)
    assert detail.status_code == 200
    assert detail.json()["signals"] == prediction["signals"]
    image = await client.get(prediction["image_url"], headers=headers)
    assert image.content == data
    assert image.headers["content-type"] == "image/jpeg"


async def test_each_file_gets_its_own_result_in_order(
    client: httpx.AsyncClient, db_engine: AsyncEngine
) -> None:
    headers = await sign_up(client, "bob@example.org")
    truncated = images.truncated_jpeg(seed=4)
    response = await predict(
        client,
        ("one.jpg", images.jpeg(seed=3), JPEG),
        ("notes.jpg", b"just some text, honestly", JPEG),
        ("two.png", images.png(seed=3), PNG),
        ("three.webp", images.webp(seed=3), WEBP),
        ("cut.jpg", truncated, JPEG),
        headers=headers,
    )
    assert response.status_code == 201
    items = response.json()["items"]
    assert [item["status"] for item in items] == ["ok", "error", "ok", "ok", "error"]
    assert [item["filename"] for item in items] == [
        "one.jpg",
        "notes.jpg",
        "two.png",
        "three.webp",
        "cut.jpg",
    ]
    assert items[1]["error"]["status"] == 415
    assert items[4]["error"]["status"] == 422
    assert await count_rows(db_engine, "predictions") == 3


async def test_same_bytes_same_model_reuse_the_stored_result(
    client: httpx.AsyncClient, db_engine: AsyncEngine, inference_transport: RecordingTransport
) -> None:
    first_user = await sign_up(client, "cat@example.org")
    second_user = await sign_up(client, "dan@example.org")
    data = images.jpeg(seed=5)
    first = await create_prediction(client, first_user, data)
    again = await create_prediction(client, first_user, data)
    other = await create_prediction(client, second_user, data)
    assert inference_transport.count("/v1/predict") == 1
    assert (first["reused"], again["reused"], other["reused"]) == (False, True, False)
    assert first["verdict"] == again["verdict"] == other["verdict"]
    assert first["score"] == other["score"]
    history = await client.get("/v1/predictions", headers=second_user)
    assert [item["id"] for item in history.json()["items"]] == [other["id"]]
    assert await count_rows(db_engine, "images") == 1


async def test_idempotency_key_replays_the_first_answer(
    client: httpx.AsyncClient, db_engine: AsyncEngine, inference_transport: RecordingTransport
) -> None:
    headers = await sign_up(client, "eve@example.org")
    upload = ("a.jpg", images.jpeg(seed=6), JPEG)
    keyed = headers | {"Idempotency-Key": "retry-1"}
    first = await predict(client, upload, headers=keyed)
    second = await predict(client, upload, headers=keyed)
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert await count_rows(db_engine, "predictions") == 1
    assert inference_transport.count("/v1/predict") == 1
    different = await predict(client, ("b.jpg", images.jpeg(seed=7), JPEG), headers=keyed)
    assert_problem(different, 422)


async def test_idempotency_keys_belong_to_their_user(
    client: httpx.AsyncClient, db_engine: AsyncEngine
) -> None:
    upload = ("a.jpg", images.jpeg(seed=8), JPEG)
    for email in ("fay@example.org", "gus@example.org"):
        headers = await sign_up(client, email) | {"Idempotency-Key": "same-key"}
        response = await predict(client, upload, headers=headers)
        assert response.status_code == 201
        assert "Idempotent-Replayed" not in response.headers
    assert await count_rows(db_engine, "predictions") == 2


async def test_too_many_files_in_one_request(make_api: ApiFactory) -> None:
    async with make_api(max_files_per_request=2) as client:
        uploads = [(f"{i}.jpg", images.jpeg(seed=i), JPEG) for i in range(3)]
        assert_problem(await predict(client, *uploads), 422)


async def test_request_id_reaches_the_inference_service(
    client: httpx.AsyncClient, inference_transport: RecordingTransport
) -> None:
    response = await predict(
        client, ("a.jpg", images.jpeg(seed=9), JPEG), headers={"X-Request-ID": "trace-42"}
    )
    assert response.status_code == 200
    sent = [r for r in inference_transport.requests if r.url.path == "/v1/predict"]
    assert sent[-1].headers["X-Request-ID"] == "trace-42"


async def test_api_key_without_predict_scope_cannot_predict(client: httpx.AsyncClient) -> None:
    headers = await sign_up(client, "hal@example.org")
    created = await client.post(
        "/v1/api-keys", json={"name": "reader", "scopes": ["history"]}, headers=headers
    )
    key_headers = {"X-API-Key": created.json()["key"]}
    response = await predict(client, ("a.jpg", images.jpeg(seed=10), JPEG), headers=key_headers)
    assert_problem(response, 403)
    assert (await client.get("/v1/predictions", headers=key_headers)).status_code == 200


class RefusingHost(httpx.AsyncBaseTransport):
    """Refuses connections to one host, as a dead replica would; passes the rest on."""

    def __init__(self, inner: httpx.AsyncBaseTransport, host: str) -> None:
        self.inner, self.host = inner, host

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.host == self.host:
            raise httpx.ConnectError("connection refused", request=request)
        return await self.inner.handle_async_request(request)


async def test_requests_are_spread_across_replicas(
    make_api: ApiFactory, inference_transport: RecordingTransport
) -> None:
    async with make_api(inference_url="http://one.test, http://two.test") as client:
        for seed in range(4):
            response = await predict(client, ("a.jpg", images.jpeg(seed=200 + seed), JPEG))
            assert response.status_code == 200
    hosts = [r.url.host for r in inference_transport.requests if r.url.path == "/v1/predict"]
    assert sorted(hosts) == ["one.test", "one.test", "two.test", "two.test"]


async def test_a_dead_replica_is_skipped(
    make_api: ApiFactory, inference_transport: RecordingTransport
) -> None:
    transport = RefusingHost(inference_transport, "dead.test")
    async with make_api(
        transport=transport, inference_url="http://dead.test,http://alive.test"
    ) as client:
        for seed in range(3):
            response = await predict(client, ("a.jpg", images.jpeg(seed=210 + seed), JPEG))
            assert response.status_code == 200


async def test_avif_and_heic_are_accepted(client: httpx.AsyncClient) -> None:
    from pillow_heif import register_heif_opener

    register_heif_opener()
    photo = images.photo_like(seed=220)
    response = await predict(
        client,
        ("a.avif", images.encode(photo, format="AVIF", quality=80), "image/avif"),
        ("b.heic", images.encode(photo, format="HEIF", quality=80), "image/heic"),
    )
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert [item["prediction"]["image"]["mime_type"] for item in items] == [
        "image/avif",
        "image/heic",
    ]


async def _predictions_answered(inference: InferenceService) -> float:
    """How many images the real inference service has answered (its /metrics counter)."""
    transport = httpx.ASGITransport(app=await inference.app())
    async with httpx.AsyncClient(transport=transport, base_url="http://inference.test") as peer:
        text = (await peer.get("/metrics")).text
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        if family.name == "deepcatcher_inference_predictions"
        for sample in family.samples
        if sample.name.endswith("_total")
    )


async def test_concurrent_identical_uploads_share_one_inference_call(
    client: httpx.AsyncClient,
    inference_service: InferenceService,
    inference_transport: RecordingTransport,
) -> None:
    headers = await sign_up(client, "ivy@example.org")
    data = images.jpeg(seed=11)
    before = await _predictions_answered(inference_service)
    responses = await asyncio.gather(
        *(predict(client, ("same.jpg", data, JPEG), headers=headers) for _ in range(20))
    )
    assert [response.status_code for response in responses] == [201] * 20
    predictions = [response.json()["items"][0]["prediction"] for response in responses]
    assert await _predictions_answered(inference_service) - before == 1
    assert inference_transport.count("/v1/predict") == 1
    assert len({(p["verdict"], p["score"], p["model"]["version"]) for p in predictions}) == 1
    assert [p["reused"] for p in predictions].count(False) == 1
    history = await client.get("/v1/predictions", headers=headers)
    assert len(history.json()["items"]) == 20


class SlowPredict(httpx.AsyncBaseTransport):
    """Answers /v1/predict only after a delay, so that later identical checks join the call."""

    def __init__(self, inner: httpx.AsyncBaseTransport, *, delay_s: float) -> None:
        self.inner, self.delay_s = inner, delay_s

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/predict":
            await asyncio.sleep(self.delay_s)
        return await self.inner.handle_async_request(request)


async def test_a_shared_call_reads_as_reused_only_to_the_caller_who_started_it(
    make_api: ApiFactory,
    inference_service: InferenceService,
    inference_transport: RecordingTransport,
) -> None:
    await inference_service.app()  # started and warm before the checks race
    upload = ("same.jpg", images.jpeg(seed=14), JPEG)

    async def joining(headers: dict[str, str]) -> httpx.Response:
        await asyncio.sleep(0.15)  # while the first check is with the detector
        return await predict(client, upload, headers=headers)

    async with make_api(transport=SlowPredict(inference_transport, delay_s=0.6)) as client:
        ada = await sign_up(client, "ada@example.org")
        bob = await sign_up(client, "bob@example.org")
        answers = await asyncio.gather(
            predict(client, upload, headers=ada), joining(ada), joining(bob), joining({})
        )
    assert [a.status_code for a in answers] == [201, 201, 201, 200], answers[-1].text
    assert inference_transport.count("/v1/predict") == 1
    first, own, other, anonymous = (a.json()["items"][0]["prediction"] for a in answers)
    assert [p["reused"] for p in (first, own, other, anonymous)] == [False, True, False, False]
    # Those who joined waited less than the detector took; they must not be seen to.
    assert other["latency_ms"] >= 600 and anonymous["latency_ms"] >= 600


async def test_someone_elses_stored_result_comes_back_no_sooner_than_the_detector_would(
    make_api: ApiFactory, inference_transport: RecordingTransport
) -> None:
    upload = ("same.jpg", images.jpeg(seed=15), JPEG)
    async with make_api(transport=SlowPredict(inference_transport, delay_s=0.6)) as client:
        ada = await sign_up(client, "ada@example.org")
        bob = await sign_up(client, "bob@example.org")
        first = await predict(client, upload, headers=ada)
        started = time.perf_counter()
        second_user = await predict(client, upload, headers=bob)
        took_s = time.perf_counter() - started
    assert first.status_code == second_user.status_code == 201
    assert inference_transport.count("/v1/predict") == 1
    assert took_s >= 0.6


class FailingNextPredict(httpx.AsyncBaseTransport):
    """Once armed, answers the next /v1/predict with a 503, as a busy detector would."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner, self.armed = inner, False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/predict" and self.armed:
            self.armed = False
            # Long enough for the identical uploads to join this call: 0.2 s was not, on a
            # 2-core VM three times slower than the one it was written on.
            await asyncio.sleep(2.0)
            return httpx.Response(503, headers={"Retry-After": "1"})
        return await self.inner.handle_async_request(request)


async def test_a_shared_check_that_failed_is_not_remembered(
    make_api: ApiFactory, inference_transport: RecordingTransport
) -> None:
    upload = ("same.jpg", images.jpeg(seed=12), JPEG)
    flaky = FailingNextPredict(inference_transport)
    async with make_api(transport=flaky) as client:
        warm = await predict(client, ("other.jpg", images.jpeg(seed=13), JPEG))
        flaky.armed = True
        together = await asyncio.gather(*(predict(client, upload) for _ in range(5)))
        later = await predict(client, upload)
    assert warm.status_code == 200, warm.text
    for response in together:
        assert_problem(response, 503)
    assert later.status_code == 200, later.text
    assert inference_transport.count("/v1/predict") == 2  # warm-up and later: the failed call
