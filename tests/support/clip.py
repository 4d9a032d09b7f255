"""The CLIP tower's FP32 reference and the views the tests run through it."""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime
from onnx import helper, numpy_helper

from services.inference.detectors.semantic.backbone import BackboneIdentity, backbone_path
from services.inference.detectors.semantic.rebuild import dequantised_weights
from services.inference.detectors.semantic.views import pixel_values, whole_view
from tests.support.images import photo_like


def clip_views() -> np.ndarray:
    """A photo-like view and a noise view, normalised as CLIP expects them."""
    photo = np.asarray(photo_like(width=320, height=240, seed=1))
    noise = np.random.default_rng(2).integers(0, 256, (240, 320, 3), dtype=np.uint8)
    return pixel_values([whole_view(photo), whole_view(noise)])


def float_reference(
    identity: BackboneIdentity, *, block_streams: bool = False
) -> onnxruntime.InferenceSession:
    """The pinned graph, every int8 product replaced by an FP32 MatMul on dequantised weights;
    `block_streams` also outputs each encoder block's residual stream, first block first."""
    model = onnx.load(str(backbone_path(identity)))
    graph, weights = model.graph, dequantised_weights(identity=identity)
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
    if block_streams:
        graph.output.extend(_block_stream_outputs(graph))
    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3  # the unused int8 initializers left behind are expected
    return onnxruntime.InferenceSession(model.SerializeToString(), options)


def _block_stream_outputs(graph: onnx.GraphProto) -> list[onnx.ValueInfoProto]:
    # Each block ends where its MLP branch is added back onto the residual stream.
    names = {f"/vision_model/encoder/layers.{block}/Add_1": block for block in range(12)}
    ends = sorted((n for n in graph.node if n.name in names), key=lambda n: names[n.name])
    return [helper.make_tensor_value_info(n.output[0], onnx.TensorProto.FLOAT, None) for n in ends]


def reference_features(identity: BackboneIdentity, views: np.ndarray) -> np.ndarray:
    """The FP32 reference's (embedding, class token) features, as the towers return them."""
    embeds, tokens = float_reference(identity).run(None, {"pixel_values": views})
    return np.concatenate([embeds, tokens[:, 0, :]], axis=1)


def cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise cosine of two feature batches."""
    return np.asarray(np.sum(a * b, axis=1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1))
