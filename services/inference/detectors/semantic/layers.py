"""The FP32 tower graph that also outputs the class token after each of its 12 encoder blocks.

Intermediate class tokens carry low-level traces that the last block and the projection wash
out (RINE, ECCV 2024). Each block ends with the Add of its MLP branch onto the residual stream;
the last block's Add is the graph's token-state output, before the final layernorm. The served
outputs are left as they are: only nodes reading token 0 of those Adds are appended.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from services.inference.detectors.semantic.features import ENCODER_BLOCKS, TOKEN_WIDTH
from services.inference.detectors.semantic.identity import BackboneError, BackboneIdentity
from services.inference.detectors.semantic.numerics import cached_graph, tower_graph_path

if TYPE_CHECKING:
    import onnx

LAYER_CLASS_TOKENS = "layer_class_tokens"
_BLOCK_END = re.compile(r"/vision_model/encoder/layers\.(\d+)/Add_1")
_TOKEN_ZERO = f"{LAYER_CLASS_TOKENS}/token_index"


def layers_graph_path(*, identity: BackboneIdentity, cache_dir: Path) -> Path:
    """The layers graph file, derived from the cached FP32 graph and checked by sha256."""
    fp32 = tower_graph_path(identity=identity, numerics="fp32", cache_dir=cache_dir)
    return cached_graph(
        identity=identity,
        variant="fp32-layers",
        cache_dir=cache_dir,
        derive=lambda: layers_graph(fp32=fp32),
    )


def layers_graph(*, fp32: Path) -> onnx.ModelProto:
    """The FP32 graph plus `layer_class_tokens` (batch, 12, 768): token 0 after every block."""
    import onnx
    from onnx import helper, numpy_helper

    model = onnx.load(str(fp32))
    graph = model.graph
    graph.initializer.append(numpy_helper.from_array(np.array([0], np.int64), _TOKEN_ZERO))
    graph.node.extend(_class_token_nodes(_block_outputs(graph)))
    shape: list[str | int | None] = ["batch", ENCODER_BLOCKS, TOKEN_WIDTH]
    graph.output.append(
        helper.make_tensor_value_info(LAYER_CLASS_TOKENS, onnx.TensorProto.FLOAT, shape)
    )
    return model


def _class_token_nodes(streams: list[str]) -> list[onnx.NodeProto]:
    """Token 0 of each stream, kept as (batch, 1, 768), then all of them joined on that axis."""
    from onnx import helper

    tokens = [f"{LAYER_CLASS_TOKENS}/block{block}" for block in range(len(streams))]
    gathers = [
        helper.make_node("Gather", [stream, _TOKEN_ZERO], [token], token, axis=1)
        for stream, token in zip(streams, tokens, strict=True)
    ]
    concat = helper.make_node("Concat", tokens, [LAYER_CLASS_TOKENS], LAYER_CLASS_TOKENS, axis=1)
    return [*gathers, concat]


def _block_outputs(graph: onnx.GraphProto) -> list[str]:
    """Each encoder block's residual stream (batch, 197, 768), first block first."""
    ends = {
        int(match.group(1)): node.output[0]
        for node in graph.node
        if node.op_type == "Add" and (match := _BLOCK_END.fullmatch(node.name))
    }
    if sorted(ends) != list(range(ENCODER_BLOCKS)):
        raise BackboneError(f"the FP32 graph's encoder blocks end at {sorted(ends)}")
    return [ends[block] for block in range(ENCODER_BLOCKS)]
