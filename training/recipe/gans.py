"""A real GAN generator (CycleGAN, PyTorch, on the CPU) that turns a photo region into a fake.

The generator rebuilds the region through its own strided encoder and transposed-convolution
decoder. Being a style transfer (modern to vintage), it also changes the region's colours and
tone: the fake keeps only the network's fine detail, laid over the region's own coarse colours,
so that the two halves of a pair differ in the decoder's traces and not in "vintage colours".
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage


@dataclass(frozen=True, slots=True)
class GanSpec:
    """One packaged generator: its package, the file and class that define it, its weights."""

    name: str
    package: str
    module: str
    network: str
    weights: str
    seen_in_training: bool = True


# vintagify==0.1.2 (MIT): a CycleGAN ResNet generator (9 blocks, two stride-2 transposed convs).
VINTAGE_CYCLEGAN = GanSpec(
    name="cyclegan-vintagify",
    package="vintagify",
    module="generator.py",
    network="ResnetGenerator",
    weights="resources/G_A2B_epoch33.pth",
)


def package_file(spec: GanSpec, *, relative: str) -> Path:
    """A file of the installed package, found without importing it."""
    # vintagify's __init__ imports torchvision and matplotlib for its own CLI; the recipe needs
    # neither, and the registry's torchvision does not load with the CPU build of torch.
    found = importlib.util.find_spec(spec.package)
    if found is None or not found.submodule_search_locations:
        raise ModuleNotFoundError(f"{spec.package} is not installed (see the Makefile)")
    return Path(next(iter(found.submodule_search_locations))) / relative


def network_module(spec: GanSpec) -> ModuleType:
    """The package's module that defines the generator, loaded on its own."""
    path = package_file(spec, relative=spec.module)
    module_spec = importlib.util.spec_from_file_location(f"_{spec.name}_network", path)
    if module_spec is None or module_spec.loader is None:
        raise ModuleNotFoundError(f"cannot load {path}")
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module


def load_gan(spec: GanSpec, *, threads: int = 2) -> Any:
    """The generator with its packaged weights, on the CPU; sets torch deterministic, `threads`."""
    import torch

    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(True)
    network = getattr(network_module(spec), spec.network)()
    path = package_file(spec, relative=spec.weights)
    network.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
    return network.eval()


def translated(network: Any, pixels: np.ndarray) -> NDArray[np.float64]:
    """8-bit pixels passed through the generator, as 0-255 floats (it works in [-1, 1])."""
    import torch

    batch = torch.from_numpy(pixels.transpose(2, 0, 1)[None].astype(np.float32) / 127.5 - 1.0)
    with torch.inference_mode():
        output: np.ndarray = network(batch)[0].numpy()
    return (output.transpose(1, 2, 0).astype(np.float64) + 1.0) * 127.5


def coarse(pixels: np.ndarray, *, sigma: float) -> NDArray[np.float64]:
    """Each channel blurred by a Gaussian of `sigma` pixels: the colours without the detail."""
    blurred = ndimage.gaussian_filter(pixels.astype(np.float64), sigma=(sigma, sigma, 0))
    return np.asarray(blurred, dtype=np.float64)


def gan_fake(network: Any, pixels: np.ndarray, *, sigma: float) -> np.ndarray:
    """The region's coarse colours plus the generator's fine detail: aligned, same shape."""
    output = translated(network, pixels)
    if output.shape != pixels.shape:
        raise ValueError(f"the generator gave {output.shape} for a {pixels.shape} region")
    fake = coarse(pixels, sigma=sigma) + output - coarse(output, sigma=sigma)
    return np.clip(np.rint(fake), 0, 255).astype(np.uint8)


def detail(pixels: np.ndarray) -> float:
    """Mean Sobel gradient magnitude of the grey region: how much texture it has."""
    grey = pixels.astype(np.float64).mean(axis=2)
    return float(np.hypot(ndimage.sobel(grey, axis=0), ndimage.sobel(grey, axis=1)).mean())
