"""Graphs derived once from the pinned INT8 tower, so that its features do not depend on the CPU.

onnxruntime multiplies the tower's u8 activations by its s8 weights with an instruction that,
on x86 CPUs without VNNI, adds pairs of products in 16 bits and saturates: the features then
collapse toward one point. Each derived graph avoids that kernel:

- "int8-exact" stores the same weights as u8 (w + 128, zero point 128), for which onnxruntime's
  kernels keep every product exact on any CPU. Activations are still quantised at run time with
  one scale per call, so its features still move with the batch and with round-off elsewhere
  (cosine 0.96-0.98 between CPUs; benchmarks/results/semantic-numerics.md).
- "fp32" replaces every integer product by an FP32 MatMul on the dequantised weights: the same
  features on every CPU, thread count and batch.

A derived graph is written under the cache folder on first use and served only while its
sha256 is the one pinned here; otherwise it is derived again. The "fp32-layers" graph
(layers.py), derived from the FP32 one, is cached and pinned the same way.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from services.inference.detectors.semantic.identity import (
    BackboneError,
    BackboneIdentity,
    Numerics,
    backbone_path,
)

if TYPE_CHECKING:
    import onnx

DerivedNumerics = Literal["int8-exact", "fp32"]
DerivedGraph = Literal["int8-exact", "fp32", "fp32-layers"]

# What deriving each graph from the pinned file (BackboneIdentity's sha256) writes, byte for byte.
DERIVED_SHA256: dict[tuple[str, str], str] = {
    (BackboneIdentity().sha256, "int8-exact"): (
        "b2a78589e0828d223fbcb7116d4522f5b92bacab65617a48d21c98d98c5993e8"
    ),
    (BackboneIdentity().sha256, "fp32"): (
        "2230ebdaf8465cf24f22273be99980b44ee5b4831dac4d56defdd83c19e949fe"
    ),
    (BackboneIdentity().sha256, "fp32-layers"): (
        "24d52e851cb25c3798e4be2df5b6aa65291564205be34898122847ea651224fd"
    ),
}


def tower_graph_path(*, identity: BackboneIdentity, numerics: Numerics, cache_dir: Path) -> Path:
    """The graph file to run: the pinned file for "int8", else its derived graph, cached."""
    pinned = backbone_path(identity)
    if numerics == "int8":
        return pinned
    derived: DerivedNumerics = numerics
    return cached_graph(
        identity=identity,
        variant=derived,
        cache_dir=cache_dir,
        derive=lambda: derived_graph(pinned=pinned, numerics=derived),
    )


def cached_graph(
    *,
    identity: BackboneIdentity,
    variant: DerivedGraph,
    cache_dir: Path,
    derive: Callable[[], onnx.ModelProto],
) -> Path:
    """The cached file of a graph derived from the identity's, derived again unless its sha256
    is the pinned one."""
    expected = DERIVED_SHA256.get((identity.sha256, variant))
    if expected is None:
        raise BackboneError(f"no {variant} graph is pinned for backbone {identity.sha256}")
    path = cache_dir / f"clip-{identity.sha256[:16]}-{variant}.onnx"
    if not path.exists() or sha256_of(path) != expected:
        _write_atomically(derive(), path=path)
    digest = sha256_of(path)
    if digest != expected:
        raise BackboneError(f"{path} was derived with sha256 {digest}, expected {expected}")
    return path


def derived_graph(*, pinned: Path, numerics: DerivedNumerics) -> onnx.ModelProto:
    """The pinned graph with its integer products made exact ("int8-exact") or FP32."""
    import onnx

    model = onnx.load(str(pinned))
    if numerics == "int8-exact":
        _unsigned_weights(model.graph)
    else:
        _float_products(model.graph)
    return model


def sha256_of(path: Path) -> str:
    """The file's sha256, read in chunks (the FP32 graph is 350 MB)."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()


def _unsigned_weights(graph: Any) -> None:
    """Every MatMulInteger's s8 weights and zero points moved to u8 by adding 128: same products."""
    from onnx import numpy_helper

    initializers = {init.name: init for init in graph.initializer}
    for node in graph.node:
        if node.op_type != "MatMulInteger":
            continue
        for name in (node.input[1], node.input[3]):
            signed = numpy_helper.to_array(initializers[name])
            unsigned = (signed.astype(np.int16) + 128).astype(np.uint8)
            initializers[name].CopyFrom(numpy_helper.from_array(unsigned, name))


def _float_products(graph: Any) -> None:
    """Every MatMulInteger, its Cast and its rescaling Mul replaced by one FP32 MatMul."""
    from onnx import helper, numpy_helper

    constants = {init.name: init for init in graph.initializer}
    producers = {out: node for node in graph.node for out in node.output}
    consumers = {name: node for node in graph.node for name in node.input}
    replaced: dict[int, Any] = {}
    for node in graph.node:
        if node.op_type != "MatMulInteger":
            continue
        cast = consumers[node.output[0]]
        rescale = consumers[cast.output[0]]
        scales = next(name for name in rescale.input if name != cast.output[0])
        weights = _dequantised(node, scales=scales, constants=constants, producers=producers)
        name = f"{node.input[1]}_dequantised"
        graph.initializer.append(numpy_helper.from_array(weights, name))
        activation = producers[node.input[0]].input[0]
        matmul = helper.make_node("MatMul", [activation, name], [rescale.output[0]], node.name)
        replaced |= {id(node): matmul, id(cast): None, id(rescale): None}
    kept = [replaced.get(id(node), node) for node in graph.node]
    _keep_only_used(graph, nodes=[node for node in kept if node is not None])


def _dequantised(
    node: Any, *, scales: str, constants: dict[str, Any], producers: dict[str, Any]
) -> np.ndarray:
    """(int8 - zero point) * the weight's own scale, as FP32 (in, out)."""
    from onnx import numpy_helper

    quantised = numpy_helper.to_array(constants[node.input[1]]).astype(np.float32)
    zero_point = numpy_helper.to_array(constants[node.input[3]]).astype(np.float32)
    # The product is rescaled by activation scale x weight scale; the constant is the latter.
    weight_scale = next(n for n in producers[scales].input if n in constants)
    scale = numpy_helper.to_array(constants[weight_scale]).astype(np.float32)
    return np.asarray((quantised - zero_point) * scale, dtype=np.float32)


def _keep_only_used(graph: Any, *, nodes: list[Any]) -> None:
    """Set the graph's nodes, dropping those (and initializers) no output depends on."""
    producers = {out: node for node in nodes for out in node.output}
    needed, pending = set(), [output.name for output in graph.output]
    while pending:
        name = pending.pop()
        if name in needed:
            continue
        needed.add(name)
        if name in producers:
            pending.extend(producers[name].input)
    used = [node for node in nodes if any(out in needed for out in node.output)]
    initializers = [init for init in graph.initializer if init.name in needed]
    del graph.node[:]
    graph.node.extend(used)
    del graph.initializer[:]
    graph.initializer.extend(initializers)


def _write_atomically(model: onnx.ModelProto, *, path: Path) -> None:
    """Write the model beside `path` and rename it into place, so a reader never sees half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, partial = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".partial")
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(model.SerializeToString())
        os.chmod(partial, 0o644)
        os.replace(partial, path)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
