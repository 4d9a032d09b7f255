"""Photographs that npm packages ship, installed by `make install` into `data/npm/`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from services.inference.training.recipe.photos import Photo, file_loader

NPM_ROOT = Path(__file__).parent / "npm" / "node_modules"


@dataclass(frozen=True, slots=True)
class NpmPhoto:
    """One chosen photograph: its package, its path there, its kind and its licence."""

    package: str
    path: str
    kind: str
    licence: str


FACE_API = "@vladmandic/face-api"
# @vladmandic/face-api's demo photos: group photos of people that its author took (its README:
# "Photos shown below are taken by me"; EXIF: Sony A7/A7 II and one Samsung phone).
FACE_API_PHOTOS = tuple(
    NpmPhoto(FACE_API, f"demo/sample{n}.jpg", "photo-people", "MIT (photos by Vladimir Mandic)")
    for n in range(1, 7)
)
# Test photos of EXIF readers, kept on the camera their EXIF names (a 2012 Windows Phone, a
# Nikon Coolpix 4600, a Nikon D100). Left out: exif-js's Bloated-Hero (no camera EXIF) and
# Bush-dog (a White House photograph with no licence stated).
EXIF_PHOTOS = (
    NpmPhoto(
        "exif-parser",
        "test/starfish.jpg",
        "photo-old-phone",
        "MIT (LICENSE.md; EXIF: Nokia Lumia 820)",
    ),
    NpmPhoto(
        "exif-js", "example/DSCN0614_small.jpg", "photo-landscape", "MIT (EXIF: Nikon Coolpix 4600)"
    ),
    NpmPhoto("exif-js", "example/dsc_09827.jpg", "photo-people", "MIT (EXIF: Nikon D100)"),
)
NPM_PHOTOS = (*FACE_API_PHOTOS, *EXIF_PHOTOS)


def _photo(entry: NpmPhoto, *, root: Path) -> Photo:
    meta = json.loads((root / entry.package / "package.json").read_text(encoding="utf-8"))
    return Photo(
        name=f"{entry.package.rsplit('/', 1)[-1]}-{Path(entry.path).stem.lower()}",
        origin=f"{entry.package}=={meta['version']}",
        licence=entry.licence,
        load=file_loader(root / entry.package / entry.path),
        kind=entry.kind,
    )


def npm_photos(*, root: Path = NPM_ROOT) -> list[Photo]:
    """The chosen photographs of the installed npm packages; none of a package not installed."""
    return [
        _photo(entry, root=root)
        for entry in NPM_PHOTOS
        if (root / entry.package / "package.json").exists()
    ]
