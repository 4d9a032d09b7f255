"""The TF Serving backend, against a server speaking TF Serving's REST predict API.

TensorFlow Serving itself cannot run on the development machines (it ships as a container
image); the stand-in below implements its `:predict` endpoint by running the real exported
SavedModel, so the request and response format and the exported signature are both exercised.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import numpy as np
import pytest
import tensorflow as tf
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from services.common.processes import free_port
from services.inference.selfcheck.local import record_self_check
from tests.inference.conftest import ServiceFactory
from tests.support import images
from tests.support.fusion_cards import SELF_CHECK_FAILED, altered_card, card_without_self_check
from tests.support.receivers import serving
from training.export.serving import export_bundle


def _predict_app(saved_model: Path) -> Starlette:
    signature = tf.saved_model.load(str(saved_model)).signatures["serving_default"]

    async def predict(request: Request) -> JSONResponse:
        instances = np.asarray((await request.json())["instances"], dtype=np.float32)
        outputs = signature(tf.constant(instances))
        predictions = next(iter(outputs.values())).numpy().tolist()
        return JSONResponse({"predictions": predictions})

    return Starlette(routes=[Route("/v1/models/tiny:predict", predict, methods=["POST"])])


@pytest.fixture(scope="module")
def exported(tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny model exported for TF Serving; returns the SavedModel directory."""
    folder = tmp_path_factory.mktemp("serving")
    export_bundle(model_path=tiny_model, out=folder, version=1)
    return folder / "tiny" / "1"


@pytest.fixture
async def tfserving(exported: Path) -> AsyncIterator[str]:
    port = free_port()
    async with serving(_predict_app(exported), port=port):
        yield f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def tiny_fusion_card(tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled fusion card with self-check figures recorded for the tiny model in-process."""
    card = card_without_self_check(tmp_path_factory.mktemp("fusion"))
    record_self_check(card_path=card, model_path=tiny_model)
    return card


async def _score(client: httpx.AsyncClient, data: bytes) -> dict[str, object]:
    response = await client.post("/v1/predict", files={"file": ("a.jpg", data, "image/jpeg")})
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


async def test_tfserving_backend_gives_the_in_process_scores(
    start_service: ServiceFactory, exported: Path, tfserving: str
) -> None:
    photo = images.jpeg(seed=5, width=150, height=120)
    async with start_service() as in_process:
        local = await _score(in_process, photo)
    async with start_service(
        model_backend="tfserving",
        model_path=exported,
        tfserving_url=tfserving,
        tfserving_model_name="tiny",
    ) as remote:
        served = await _score(remote, photo)
        models = (await remote.get("/v1/models")).json()
    assert served["score"] == pytest.approx(local["score"], abs=1e-4)
    assert served["verdict"] == local["verdict"]
    assert models["models"][0]["version"] == served["model"]["version"]  # type: ignore[index]
    assert models["models"][0]["format"] == "tfserving"


async def test_tfserving_down_is_a_clean_error(
    start_service: ServiceFactory, exported: Path
) -> None:
    async with start_service(
        model_backend="tfserving",
        model_path=exported,
        tfserving_url=f"http://127.0.0.1:{free_port()}",
        tfserving_model_name="tiny",
        warmup=False,
    ) as remote:
        response = await remote.post(
            "/v1/predict", files={"file": ("a.jpg", images.jpeg(seed=6), "image/jpeg")}
        )
    assert response.status_code >= 500
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_tfserving_backend_runs_the_self_check_with_its_runner(
    start_service: ServiceFactory,
    exported: Path,
    tfserving: str,
    tiny_fusion_card: Path,
    tmp_path: Path,
) -> None:
    remote = {
        "model_backend": "tfserving",
        "model_path": exported,
        "tfserving_url": tfserving,
        "tfserving_model_name": "tiny",
    }
    altered = altered_card(tmp_path, view="lowlevel", source=tiny_fusion_card)
    async with start_service(fusion_card_path=tiny_fusion_card, **remote) as client:
        models = (await client.get("/v1/models")).json()["models"][0]
    async with start_service(fusion_card_path=altered, **remote) as client:
        refused = await client.post(
            "/v1/predict", files={"file": ("a.jpg", images.jpeg(seed=7), "image/jpeg")}
        )

    check = models["self_check"]
    assert check["status"] == "passed", check["detail"]
    assert {c["view"] for c in check["checks"]} == {"lowlevel", "semantic", "fused"}
    assert check["machine"]["runners"]["lowlevel"] == "tfserving"
    assert refused.status_code == 503
    assert refused.json()["type"] == SELF_CHECK_FAILED
    assert "the low-level view's score" in refused.json()["detail"]
