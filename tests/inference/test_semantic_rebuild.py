"""The Keras rebuild of the CLIP tower computes what the dequantised ONNX graph computes."""

from __future__ import annotations

import numpy as np
import pytest

from services.inference.detectors.semantic.backbone import (
    BackboneIdentity,
    ClipTower,
    open_tower,
)
from services.inference.detectors.semantic.rebuild import KerasClipTower, dequantised_weights
from tests.support.clip import clip_views, cosine, float_reference

IDENTITY = BackboneIdentity()


@pytest.fixture(scope="module")
def batch() -> np.ndarray:
    """A photo-like view and a noise view, normalised as CLIP expects them."""
    return clip_views()


def test_every_linear_layer_is_dequantised() -> None:
    weights = dequantised_weights(identity=IDENTITY)
    blocks = [f"vision_model.encoder.layers.{i}" for i in range(12)]
    linear = [f"{b}.self_attn.{p}_proj.weight" for b in blocks for p in ("q", "k", "v", "out")]
    linear += [f"{b}.mlp.{fc}.weight" for b in blocks for fc in ("fc1", "fc2")]
    assert {weights[name].shape for name in linear} == {(768, 768), (768, 3072), (3072, 768)}
    assert weights["visual_projection.weight"].shape == (768, 512)
    assert all(weights[name].dtype == np.float32 for name in [*linear, "visual_projection.weight"])


def test_the_rebuild_matches_the_dequantised_graph(batch: np.ndarray) -> None:
    embeds, tokens = float_reference(IDENTITY).run(None, {"pixel_values": batch})
    rebuilt = KerasClipTower.open(identity=IDENTITY).features(batch)
    assert np.all(cosine(rebuilt[:, :512], embeds) > 0.9999)
    assert np.all(cosine(rebuilt[:, 512:], tokens[:, 0, :]) > 0.9999)


def test_the_rebuild_stays_near_the_int8_run_and_tells_images_apart(batch: np.ndarray) -> None:
    # The pinned INT8 graph with exact integer products: what it means on any CPU (onnxruntime's
    # default kernels saturate without VNNI, see test_semantic_numerics.py).
    int8 = ClipTower.open(identity=IDENTITY, numerics="int8-exact").features(batch)
    tower = open_tower(identity=BackboneIdentity(runner="keras"))
    assert isinstance(tower, KerasClipTower)
    rebuilt = tower.features(batch)
    assert np.all(cosine(rebuilt, int8) > 0.85)
    assert cosine(rebuilt[:1], rebuilt[1:])[0] < cosine(rebuilt[:1], int8[:1])[0]
