"""AI images made by real GAN networks from one split's own photographs (the `ai` class).

The generator stills are all diffusion-era; GAN faces and face swaps were what the detector
missed most. No StyleGAN or face-swap weights ship in any registry, so these are made with the
GANs that do: Real-ESRGAN's generators redraw a whole photo from its quarter-size copy, the
CycleGAN generator repaints it, and a face swap's last step (a small face redrawn by a network,
colour-matched and blended back) is applied to the faces the face check finds. Each is made
from a photo of the same split and stays there, so the real photo and its GAN twin never cross
splits, and the pair differs in the network's traces, not in what it shows.

Opt-in (`deepcatcher data build --gan-share`): with them, the semantic head caught half as many
diffusion stills on our own splits and few of the GAN images, so the bundled build has none
(docs/training.md).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image
from scipy import ndimage

from training.data.processing import long_side_at_most
from training.evaluation.people import DETECT_SIDE, face_boxes
from training.recipe.gans import VINTAGE_CYCLEGAN, load_gan, translated
from training.recipe.upsamplers import (
    UPSAMPLERS,
    UpsamplerSpec,
    load_upsampler,
    network_fake,
    upscaled,
)

ORIGIN = "gan-images"
LICENCE = "each image keeps the licence of its photograph's own manifest row"

# The whole-image redraws work at this long side: RRDBNet redraws a 192 px copy in a few
# seconds on 2 cores, and the results sit among the stills' sizes.
REDRAW_SIDE = 768
CYCLEGAN_SIDE = 512
# A face swap's network works on a small aligned face (64-256 px); the face is shrunk to this.
SWAP_FACE_SIDE = 96
SWAP_MIN_FACE = 48


@dataclass(frozen=True, slots=True)
class GanImage:
    """One GAN-made image: its name, its family and the photograph it was made from."""

    name: str
    family: str
    photo: Path
    pixels: np.ndarray


def _upsampler(name: str) -> UpsamplerSpec:
    return next(spec for spec in UPSAMPLERS if spec.name == name)


@cache
def _network(name: str) -> Any:
    if name == VINTAGE_CYCLEGAN.name:
        return load_gan(VINTAGE_CYCLEGAN)
    return load_upsampler(_upsampler(name))


def fitted(pixels: np.ndarray, *, long_side: int, multiple: int) -> np.ndarray:
    """Pixels shrunk so the long side is at most `long_side`, both sides cut to `multiple`."""
    shrunk = long_side_at_most(pixels, long_side=long_side)
    height, width = shrunk.shape[:2]
    return np.ascontiguousarray(shrunk[: height - height % multiple, : width - width % multiple])


def redrawn(pixels: np.ndarray, *, network: str) -> np.ndarray:
    """The whole photo redrawn by an x4 upsampler from its quarter-size copy."""
    base = fitted(pixels, long_side=REDRAW_SIDE, multiple=4)
    return network_fake(_network(network), base, factor=4)


def repainted(pixels: np.ndarray) -> np.ndarray:
    """The whole photo passed through the CycleGAN generator, as its own output."""
    base = fitted(pixels, long_side=CYCLEGAN_SIDE, multiple=4)
    output = translated(_network(VINTAGE_CYCLEGAN.name), base)
    return np.clip(np.rint(output), 0, 255).astype(np.uint8)


def _colour_matched(face: np.ndarray, *, like: np.ndarray) -> np.ndarray:
    """`face` with the mean and spread of each channel of `like`, as swap tools match tone."""
    source, target = face.astype(np.float64), like.astype(np.float64)
    spread = source.std(axis=(0, 1)) + 1e-6
    matched = (source - source.mean(axis=(0, 1))) / spread * target.std(axis=(0, 1))
    matched += target.mean(axis=(0, 1))
    return np.asarray(matched, dtype=np.float64)


def _feathered_mask(height: int, width: int) -> np.ndarray:
    """An ellipse inside the box, softened at its edge, as swap tools blend a face in."""
    rows, columns = np.mgrid[0:height, 0:width]
    inside = ((rows - height / 2) / (height * 0.45)) ** 2 + (
        (columns - width / 2) / (width * 0.40)
    ) ** 2 <= 1.0
    soft = ndimage.gaussian_filter(inside.astype(np.float64), sigma=max(height, width) / 16)
    return np.asarray(soft, dtype=np.float64)[..., None]


def face_swapped(pixels: np.ndarray, *, boxes: list[tuple[int, int, int, int]]) -> np.ndarray:
    """Each face shrunk to a swap network's size, redrawn x4 by Real-ESRGAN, colour-matched and
    blended back into the photo (the last steps of a face swap)."""
    out = pixels.astype(np.float64)
    for x, y, w, h in boxes:
        face = pixels[y : y + h, x : x + w]
        small = Image.fromarray(face).resize((SWAP_FACE_SIDE, SWAP_FACE_SIDE), Image.Resampling.BOX)
        drawn = upscaled(_network("realesrgan-x4plus"), np.asarray(small))
        drawn = np.asarray(Image.fromarray(drawn).resize((w, h), Image.Resampling.LANCZOS))
        blended = _colour_matched(drawn, like=face)
        mask = _feathered_mask(h, w)
        out[y : y + h, x : x + w] = mask * blended + (1 - mask) * out[y : y + h, x : x + w]
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


Maker = Callable[[np.ndarray], np.ndarray]
WHOLE_MAKERS: tuple[tuple[str, Maker], ...] = (
    ("gan-realesrgan", lambda p: redrawn(p, network="realesrgan-x4plus")),
    ("gan-realesr-compact", lambda p: redrawn(p, network="realesr-animevideov3-x4")),
    ("gan-cyclegan", repainted),
)
FACE_SWAP = "face-swap"
GAN_FAMILIES = (*(family for family, _ in WHOLE_MAKERS), FACE_SWAP)


def redraw_maker(name: str, *, seed: int, share: float) -> tuple[str, Maker] | None:
    """Whether the photo `name` is redrawn whole, and by which network: a draw from its name,
    salted apart from the split's own draw (the same seed and name), which it would repeat."""
    digest = hashlib.sha256(f"{seed}/gan/{name}".encode()).digest()
    draw = int.from_bytes(digest[:8], "big") / 2**64
    return WHOLE_MAKERS[int(draw / share * len(WHOLE_MAKERS))] if draw < share else None


def gan_images(*, photos: list[Path], seed: int, share: float) -> Iterator[GanImage]:
    """A whole-image GAN redraw of `share` of the photos, and a face swap of every photo with
    faces big enough to swap."""
    for photo in photos:
        pixels = np.asarray(Image.open(photo).convert("RGB"))
        if maker := redraw_maker(photo.stem, seed=seed, share=share):
            family, make = maker
            yield GanImage(f"{family}-{photo.stem}", family, photo, make(pixels))
        # The face check finds faces on a copy of this long side; the swap works on it too.
        base = fitted(pixels, long_side=DETECT_SIDE, multiple=1)
        boxes = [b for b in face_boxes(base) if min(b[2], b[3]) >= SWAP_MIN_FACE]
        if boxes:
            swapped = face_swapped(base, boxes=boxes)
            yield GanImage(f"{FACE_SWAP}-{photo.stem}", FACE_SWAP, photo, swapped)
