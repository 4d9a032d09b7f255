"""The pretrained CLIP ViT-B/16 image tower, read from its pinned package and checked by sha256."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

# The identity lives apart so that the graphs derived from the file can import it without a cycle.
from services.inference.detectors.semantic.identity import BackboneError as BackboneError
from services.inference.detectors.semantic.identity import BackboneIdentity as BackboneIdentity
from services.inference.detectors.semantic.identity import Numerics as Numerics
from services.inference.detectors.semantic.identity import Runner as Runner
from services.inference.detectors.semantic.identity import backbone_path as backbone_path


class Tower(Protocol):
    """A way of running the tower: normalised (n, 3, 224, 224) views in, (n, 1280) features out
    (and every block's class token after them, from a layered tower)."""

    def features(self, pixel_values: np.ndarray) -> np.ndarray: ...


def open_tower(
    *,
    identity: BackboneIdentity,
    threads: int = 0,
    numerics: Numerics | None = None,
    cache_dir: Path = Path("var/cache"),
    layers: bool = False,
) -> Tower:
    """The runner the identity names: onnxruntime with its numerics (unless overridden), or the
    Keras rebuild; `layers` opens the FP32 graph that also gives every block's class token."""
    if identity.runner == "keras":
        if layers:
            raise BackboneError("every block's class token needs the onnxruntime runner")
        from services.inference.detectors.semantic.rebuild import KerasClipTower

        return KerasClipTower.open(identity=identity)
    return ClipTower.open(
        identity=identity,
        threads=threads,
        numerics=numerics or identity.numerics,
        cache_dir=cache_dir,
        layers=layers,
    )


@dataclass(slots=True)
class ClipTower:
    """onnxruntime over the image tower: pixel batches in, (embeddings, tokens) out."""

    session: object

    @classmethod
    def open(
        cls,
        *,
        identity: BackboneIdentity,
        threads: int = 0,
        numerics: Numerics = "int8",
        cache_dir: Path = Path("var/cache"),
        layers: bool = False,
    ) -> ClipTower:
        """Verify and load the tower (deriving its graph on first use); `threads` 0 lets
        onnxruntime decide; `layers` runs the FP32 graph that also gives every block's class
        token."""
        if layers and numerics != "fp32":
            raise BackboneError(
                f"every block's class token comes from the fp32 graph, not {numerics}"
            )
        return cls(session=_session(identity, threads, numerics, cache_dir, layers))

    def features(self, pixel_values: np.ndarray) -> np.ndarray:
        """Per view, the projected embedding (512) beside the class token's state (768), then,
        from a layered tower, the class token after each encoder block (12 x 768)."""
        features, layers = self._run(pixel_values)
        if layers is None:
            return features
        return np.concatenate([features, layers.reshape(len(layers), -1)], axis=1)

    def features_and_layers(self, pixel_values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The first 1280 features beside the class token after each encoder block, (n, 12,
        768)."""
        features, layers = self._run(pixel_values)
        if layers is None:
            raise BackboneError("every block's class token needs a tower opened with layers=True")
        return features, layers

    def _run(self, pixel_values: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        outputs = self.session.run(None, {"pixel_values": pixel_values})  # type: ignore[attr-defined]
        embeds, tokens, *layers = outputs
        features = np.concatenate([embeds, tokens[:, 0, :]], axis=1).astype(np.float32)
        return features, (layers[0] if layers else None)


# Verifying and loading the 90 MB file takes about a second; a process that starts the service
# more than once (the tests, `deepcatcher predict`) shares one read-only session, which
# onnxruntime allows to run from several threads at once.
@functools.lru_cache(maxsize=2)
def _session(
    identity: BackboneIdentity, threads: int, numerics: Numerics, cache_dir: Path, layers: bool
) -> object:
    import onnxruntime

    from services.inference.detectors.semantic.layers import layers_graph_path
    from services.inference.detectors.semantic.numerics import tower_graph_path

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    if layers:
        path = layers_graph_path(identity=identity, cache_dir=cache_dir)
    else:
        path = tower_graph_path(identity=identity, numerics=numerics, cache_dir=cache_dir)
    return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
