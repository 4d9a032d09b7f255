"""TensorFlow.js layers models as nsfwjs bundles them: JavaScript files, weights by name.

Each model folder holds `model.min.js` (the Keras topology and the weights manifest as a
JavaScript object) and `group1-shard*.min.js` (the weight bytes as one base64 string each).
Every weight is uint8-quantised: value = min + scale * byte.
"""

from __future__ import annotations

import base64
import math
import re
from pathlib import Path

import numpy as np

# One manifest entry, as the bundler writes it (unquoted keys, numbers like `.5` and `-.87`).
WEIGHT_ENTRY = re.compile(
    r'\{name:"(?P<name>[^"]+)",shape:\[(?P<shape>[\d,]*)\],dtype:"float32",'
    r'quantization:\{min:(?P<min>[-+.\de]+),scale:(?P<scale>[-+.\de]+),dtype:"uint8"\}\}'
)
SHARD_BYTES = re.compile(r'"([A-Za-z0-9+/]{64,}={0,2})"')


class BundleError(ValueError):
    """A folder that is not an nsfwjs-style bundled model, or whose bytes do not add up."""


def _manifest(folder: Path) -> list[tuple[str, tuple[int, ...], float, float]]:
    script = (folder / "model.min.js").read_text()
    entries = [
        (
            match["name"],
            tuple(int(side) for side in match["shape"].split(",") if side),
            float(match["min"]),
            float(match["scale"]),
        )
        for match in WEIGHT_ENTRY.finditer(script[script.find("weightsManifest") :])
    ]
    if not entries:
        raise BundleError(f"{folder / 'model.min.js'} has no uint8 weights manifest")
    return entries


def _shard_bytes(folder: Path) -> bytes:
    shards = sorted(folder.glob("group1-shard*.min.js"))
    if not shards:
        raise BundleError(f"{folder} has no weight shards")
    strings = [SHARD_BYTES.findall(shard.read_text()) for shard in shards]
    if any(len(found) != 1 for found in strings):
        raise BundleError(f"each shard in {folder} must hold exactly one base64 string")
    return b"".join(base64.b64decode(found[0]) for found in strings)


def bundled_weights(folder: Path) -> dict[str, np.ndarray]:
    """Every weight of a bundled model, dequantised to float32, by its Keras name."""
    entries, blob = _manifest(folder), _shard_bytes(folder)
    sizes = [math.prod(shape) for _, shape, _, _ in entries]
    if sum(sizes) != len(blob):
        raise BundleError(
            f"{folder}: the manifest needs {sum(sizes)} bytes, shards hold {len(blob)}"
        )
    weights: dict[str, np.ndarray] = {}
    offset = 0
    for (name, shape, low, scale), size in zip(entries, sizes, strict=True):
        quantised = np.frombuffer(blob, dtype=np.uint8, count=size, offset=offset)
        weights[name] = (low + scale * quantised.astype(np.float32)).reshape(shape)
        offset += size
    return weights
