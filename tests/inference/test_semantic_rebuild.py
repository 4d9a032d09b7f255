"""The Keras rebuild of the CLIP tower computes what the dequantised ONNX graph computes."""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime
import pytest
from onnx import helper, numpy_helper

from services.inference.detectors.semantic.backbone import (
    BackboneIdentity,
    ClipTower,
    backbone_path,
    open_tower,
)
from services.inference.detectors.semantic.rebuild import KerasClipTower, dequantised_weights
from services.inference.detectors.semantic.views import pixel_values, whole_view
from tests.support.images import photo_like

IDENTITY = BackboneIdentity()


@pytest.fixture(scope="module")
def batch() -> np.ndarray:
    """A photo-like view and a noise view, normalised as CLIP expects them."""
    photo = np.asarray(photo_like(width=320, height=240, seed=1))
    noise = np.random.default_rng(2).integers(0, 256, (240, 320, 3), dtype=np.uint8)
    return pixel_values([whole_view(photo), whole_view(noise)])


def float_reference() -> onnxruntime.InferenceSession:
    """The pinned graph, every int8 product replaced by an FP32 MatMul on dequantised weights."""
    model = onnx.load(str(backbone_path(IDENTITY)))
    graph, weights = model.graph, dequantised_weights(identity=IDENTITY)
    producers = {out: node for node in graph.node for out in node.output}
    consumers = {name: node for node in graph.node for name in node.input}
    nodes, replaced = [], set()
    for node in graph.node:
        if node.op_type != "MatMulInteger":
            nodes.append(node)
            continue
        cast = consumers[node.output[0]]
        scale = consumers[cast.output[0]]
        name = next(i for i in scale.input if i != cast.output[0])
        layer = name.strip("/").rsplit("/", 1)[0].replace("/", ".")
        activation = producers[node.input[0]].input[0]
        weight = f"{layer}.weight.fp32"
        graph.initializer.append(numpy_helper.from_array(weights[f"{layer}.weight"], weight))
        nodes.append(helper.make_node("MatMul", [activation, weight], [scale.output[0]]))
        replaced |= {id(cast), id(scale)}
    kept = [n for n in nodes if id(n) not in replaced]
    del graph.node[:]
    graph.node.extend(kept)
    return onnxruntime.InferenceSession(model.SerializeToString())


def cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.asarray(np.sum(a * b, axis=1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1))


def test_every_linear_layer_is_dequantised() -> None:
    weights = dequantised_weights(identity=IDENTITY)
    blocks = [f"vision_model.encoder.layers.{i}" for i in range(12)]
    linear = [f"{b}.self_attn.{p}_proj.weight" for b in blocks for p in ("q", "k", "v", "out")]
    linear += [f"{b}.mlp.{fc}.weight" for b in blocks for fc in ("fc1", "fc2")]
    assert {weights[name].shape for name in linear} == {(768, 768), (768, 3072), (3072, 768)}
    assert weights["visual_projection.weight"].shape == (768, 512)
    assert all(weights[name].dtype == np.float32 for name in [*linear, "visual_projection.weight"])


def test_the_rebuild_matches_the_dequantised_graph(batch: np.ndarray) -> None:
    embeds, tokens = float_reference().run(None, {"pixel_values": batch})
    rebuilt = KerasClipTower.open(identity=IDENTITY).features(batch)
    assert np.all(cosine(rebuilt[:, :512], embeds) > 0.9999)
    assert np.all(cosine(rebuilt[:, 512:], tokens[:, 0, :]) > 0.9999)


def test_the_rebuild_stays_near_the_int8_run_and_tells_images_apart(batch: np.ndarray) -> None:
    int8 = ClipTower.open(identity=IDENTITY).features(batch)
    tower = open_tower(identity=BackboneIdentity(runner="keras"))
    assert isinstance(tower, KerasClipTower)
    rebuilt = tower.features(batch)
    assert np.all(cosine(rebuilt, int8) > 0.85)
    assert cosine(rebuilt[:1], rebuilt[1:])[0] < cosine(rebuilt[:1], int8[:1])[0]
