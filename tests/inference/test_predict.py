"""POST /v1/predict: the answer's shape, its calibration, formats and the heatmap."""

from __future__ import annotations

import base64
import io
import math
from pathlib import Path
from typing import Any

import httpx
import keras
import numpy as np
import pytest
from PIL import Image

from services.common.contract import InferenceResult
from services.common.images import decode_image, to_rgb_array
from services.inference.detectors.crops import crop_grid
from services.inference.detectors.lowlevel.card import ModelCard, card_path_for
from tests.support.images import encode, jpeg, photo_like, png, webp


async def predict(
    client: httpx.AsyncClient, data: bytes, *, name: str = "image", explain: bool = False
) -> httpx.Response:
    params = {"explain": "true"} if explain else {}
    return await client.post("/v1/predict", params=params, files={"file": (name, data)})


async def test_answer_follows_the_inference_contract(service: httpx.AsyncClient) -> None:
    response = await predict(service, jpeg(seed=1))

    assert response.status_code == 200, response.text
    result = InferenceResult.model_validate(response.json())
    models = (await service.get("/v1/models")).json()["models"]
    assert result.model.version == models[0]["version"]
    assert [signal.name for signal in result.signals] == [
        "detector",
        "semantic",
        "model",
        "provenance",
        "spectrum",
    ]
    assert result.image.model_dump() == {"width": 192, "height": 160, "format": "JPEG"}
    assert {"decode", "crops", "provenance", "spectrum", "model", "total"} <= set(result.timings_ms)
    assert response.json()["decided_by"] == "model"
    assert response.headers["x-request-id"]


def signal(body: dict[str, Any], name: str) -> dict[str, Any]:
    return next(s for s in body["signals"] if s["name"] == name)


async def test_model_signal_is_the_calibrated_mean_crop_logit(
    service: httpx.AsyncClient, tiny_model: Path
) -> None:
    data = png(seed=3)
    card = ModelCard.model_validate_json(card_path_for(tiny_model).read_bytes())
    image, _ = decode_image(data, max_pixels=10**8)
    grid = crop_grid(to_rgb_array(image), size=card.input.crop_size, max_crops=card.input.max_crops)
    logits = keras.saving.load_model(tiny_model).predict_on_batch(grid.crops.astype("float32"))
    expected = 1 / (1 + math.exp(-float(np.mean(logits)) / card.calibration.temperature))

    body = (await predict(service, data)).json()

    model = signal(body, "model")
    assert model["score"] == pytest.approx(expected, abs=1e-3)
    assert model["evidence"]["crops"] == len(grid.origins)
    assert [(c["top"], c["left"]) for c in model["evidence"]["score_map"]] == grid.origins


@pytest.mark.parametrize(
    ("data", "format"), [(jpeg(seed=4), "JPEG"), (png(seed=4), "PNG"), (webp(seed=4), "WEBP")]
)
async def test_jpeg_png_and_webp_are_scored(
    service: httpx.AsyncClient, data: bytes, format: str
) -> None:
    response = await predict(service, data)

    assert response.status_code == 200, response.text
    assert response.json()["image"]["format"] == format
    assert response.json()["verdict"] in {"real", "fake", "uncertain"}


async def test_image_smaller_than_a_crop_is_padded_not_upscaled(service: httpx.AsyncClient) -> None:
    response = await predict(service, encode(photo_like(width=20, height=16), format="PNG"))

    assert response.status_code == 200, response.text
    evidence = signal(response.json(), "model")["evidence"]
    assert evidence["crops"] == 1
    assert signal(response.json(), "spectrum")["score"] is None  # too small for the spectrum check


@pytest.mark.parametrize("mode", ["I;16", "RGBA", "LA", "P"])
async def test_unusual_pixel_modes_are_converted(service: httpx.AsyncClient, mode: str) -> None:
    image = photo_like(seed=5)
    if mode == "I;16":
        image = Image.fromarray(np.asarray(image.convert("L"), dtype=np.uint16) * 257)
        assert image.mode == "I;16"
    else:
        image = image.convert(mode)

    response = await predict(service, encode(image, format="PNG"))

    assert response.status_code == 200, response.text


async def test_exif_orientation_is_applied_before_cropping(service: httpx.AsyncClient) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees: the upright image is 160 wide and 192 high
    data = encode(photo_like(width=192, height=160), format="JPEG", exif=exif)

    evidence = signal((await predict(service, data)).json(), "model")["evidence"]

    lefts = {crop["left"] for crop in evidence["score_map"]}
    tops = {crop["top"] for crop in evidence["score_map"]}
    assert max(lefts) == 160 - 32
    assert max(tops) == 192 - 32


async def test_explain_draws_the_crop_scores_over_a_thumbnail(service: httpx.AsyncClient) -> None:
    response = await predict(service, jpeg(seed=6, width=800, height=600), explain=True)

    explanation = response.json()["explanation"]
    heatmap = Image.open(io.BytesIO(base64.b64decode(explanation["heatmap_png_base64"])))
    assert heatmap.format == "PNG"
    assert heatmap.size == (explanation["width"], explanation["height"]) == (384, 288)
    assert response.json()["explanation"]["method"] == "crop-score-map"


async def test_without_explain_there_is_no_heatmap(service: httpx.AsyncClient) -> None:
    response = await predict(service, jpeg(seed=7))

    assert response.json()["explanation"] is None


async def test_spectrum_signal_carries_a_small_png(service: httpx.AsyncClient) -> None:
    response = await predict(service, png(seed=8, width=300, height=300))

    spectrum = signal(response.json(), "spectrum")
    image = Image.open(io.BytesIO(base64.b64decode(spectrum["evidence"]["spectrum_png_base64"])))
    assert image.size == (128, 128)
    assert 0.0 <= spectrum["score"] <= 1.0
    assert spectrum["evidence"]["calibrated"] is False
