"""The CLIP image tower rebuilt in Keras, its weights dequantised from the pinned INT8 file.

The ONNX file keeps every linear layer as int8 weights with a per-output-channel scale and zero
point; undoing that gives FP32 weights that a Keras model (any backend: TensorFlow, JAX, PyTorch)
runs without onnxruntime's dynamic activation quantisation.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from services.inference.detectors.semantic.identity import BackboneIdentity, backbone_path

if TYPE_CHECKING:
    import keras

HIDDEN, HEADS, LAYERS, MLP, PROJECTION, PATCH = 768, 12, 12, 3072, 512, 16


def dequantised_weights(*, identity: BackboneIdentity) -> dict[str, np.ndarray]:
    """Every weight of the tower by its Hugging Face name, linear ones as FP32 (in, out)."""
    import onnx
    from onnx import numpy_helper

    graph = onnx.load(str(backbone_path(identity))).graph
    constants = {init.name: numpy_helper.to_array(init) for init in graph.initializer}
    weights = {name: array for name, array in constants.items() if not name.startswith("onnx::")}
    producers = {output: node for node in graph.node for output in node.output}
    consumers = {name: node for node in graph.node for name in node.input}
    for node in graph.node:
        if node.op_type == "MatMulInteger":
            layer, matrix = _dequantised(
                node, constants=constants, producers=producers, consumers=consumers
            )
            weights[f"{layer}.weight"] = matrix
    return weights


def _dequantised(
    node: Any,
    *,
    constants: dict[str, np.ndarray],
    producers: dict[str, Any],
    consumers: dict[str, Any],
) -> tuple[str, np.ndarray]:
    """One MatMulInteger's layer name and its weight matrix as (int8 - zero point) * scale."""
    quantised, zero_point = constants[node.input[1]], constants[node.input[3]]
    cast = consumers[node.output[0]]
    scales_name = next(name for name in consumers[cast.output[0]].input if name != cast.output[0])
    # The scale that multiplies the int32 product is activation scale x the weight's own scale.
    weight_scale = next(constants[n] for n in producers[scales_name].input if n in constants)
    layer = scales_name.strip("/").rsplit("/", 1)[0].replace("/", ".")
    matrix = (quantised.astype(np.float32) - zero_point.astype(np.float32)) * weight_scale
    return layer, matrix.astype(np.float32)


def tower_model(*, weights: dict[str, np.ndarray], block: int = LAYERS - 1) -> keras.Model:
    """keras_hub's CLIP vision encoder plus the projection, `weights` assigned to every layer:
    the embedding beside the class token after encoder block `block` (0-based)."""
    import keras
    from keras_hub.models import CLIPVisionEncoder

    encoder = CLIPVisionEncoder(
        patch_size=PATCH,
        hidden_dim=HIDDEN,
        num_layers=LAYERS,
        num_heads=HEADS,
        intermediate_dim=MLP,
        intermediate_activation="quick_gelu",
        intermediate_output_index=block,
        image_shape=(224, 224, 3),
    )
    _assign_encoder(encoder=encoder, weights=weights)
    images = keras.Input(shape=(224, 224, 3), name="images")
    outputs = encoder({"images": images})
    projection = keras.layers.Dense(PROJECTION, use_bias=False, name="visual_projection")
    embeds = projection(outputs["sequence_output"][:, 0, :])
    projection.kernel.assign(weights["visual_projection.weight"])
    return keras.Model(images, [embeds, outputs["intermediate_output"][:, 0, :]])


def _assign_encoder(*, encoder: object, weights: dict[str, np.ndarray]) -> None:
    """Copy the embeddings, layer norms and every block's weights into keras_hub's layers."""
    embedding = encoder.embedding  # type: ignore[attr-defined]
    prefix = "vision_model.embeddings"
    embedding.patch_embedding.kernel.assign(
        np.transpose(weights[f"{prefix}.patch_embedding.weight"], (2, 3, 1, 0))
    )
    embedding.position_embedding.embeddings.assign(weights[f"{prefix}.position_embedding.weight"])
    embedding.class_embedding.assign(weights[f"{prefix}.class_embedding"])
    embedding.position_ids.assign(np.arange(embedding.num_positions)[None, :])
    _assign_norm(encoder.pre_layer_norm, weights, "vision_model.pre_layrnorm")  # type: ignore[attr-defined]
    _assign_norm(encoder.layer_norm, weights, "vision_model.post_layernorm")  # type: ignore[attr-defined]
    for index, block in enumerate(encoder.encoder_layers):  # type: ignore[attr-defined]
        _assign_block(block=block, weights=weights, prefix=f"vision_model.encoder.layers.{index}")


def _assign_block(*, block: object, weights: dict[str, np.ndarray], prefix: str) -> None:
    """One transformer block: attention projections split per head, norms, the MLP."""
    attention, per_head = block.attention, (HIDDEN, HEADS, HIDDEN // HEADS)  # type: ignore[attr-defined]
    for dense, name in zip(
        (attention.query_dense, attention.key_dense, attention.value_dense), "qkv", strict=True
    ):
        dense.kernel.assign(weights[f"{prefix}.self_attn.{name}_proj.weight"].reshape(per_head))
        dense.bias.assign(weights[f"{prefix}.self_attn.{name}_proj.bias"].reshape(per_head[1:]))
    out = weights[f"{prefix}.self_attn.out_proj.weight"].reshape(HEADS, HIDDEN // HEADS, HIDDEN)
    attention.output_dense.kernel.assign(out)
    attention.output_dense.bias.assign(weights[f"{prefix}.self_attn.out_proj.bias"])
    _assign_norm(block.layer_norm_1, weights, f"{prefix}.layer_norm1")  # type: ignore[attr-defined]
    _assign_norm(block.layer_norm_2, weights, f"{prefix}.layer_norm2")  # type: ignore[attr-defined]
    for dense, name in ((block.dense_1, "fc1"), (block.dense_2, "fc2")):  # type: ignore[attr-defined]
        dense.kernel.assign(weights[f"{prefix}.mlp.{name}.weight"])
        dense.bias.assign(weights[f"{prefix}.mlp.{name}.bias"])


def _assign_norm(norm: object, weights: dict[str, np.ndarray], name: str) -> None:
    norm.gamma.assign(weights[f"{name}.weight"])  # type: ignore[attr-defined]
    norm.beta.assign(weights[f"{name}.bias"])  # type: ignore[attr-defined]


@dataclass(slots=True)
class KerasClipTower:
    """The rebuilt tower: pixel batches in, the same (embedding, class token) features out."""

    model: keras.Model

    @classmethod
    def open(cls, *, identity: BackboneIdentity) -> KerasClipTower:
        """Verify the pinned file, dequantise its weights and build the Keras model."""
        return cls(model=_model(identity))

    def features(self, pixel_values: np.ndarray) -> np.ndarray:
        """Per view, the projected embedding (512) beside the class token's state (768)."""
        channels_last = np.ascontiguousarray(pixel_values.transpose(0, 2, 3, 1))
        embeds, token = self.model.predict_on_batch(channels_last)
        return np.concatenate([np.asarray(embeds), np.asarray(token)], axis=1).astype(np.float32)


@functools.lru_cache(maxsize=1)
def _model(identity: BackboneIdentity) -> keras.Model:
    return tower_model(weights=dequantised_weights(identity=identity))
