"""Photographs that npm packages ship, installed by `make install` into `data/npm/`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from training.recipe.photos import Photo, file_loader

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
# Test photos of EXIF readers, kept on the camera their EXIF names (phones from 2011-2013, a Sony
# A6000 at night, Canon and Nikon compacts and a Nikon D100). Left out: exif-js's Bloated-Hero
# (no camera EXIF), Bush-dog (a White House photograph with no licence stated) and exif's
# orientation tests (rendered text). exif's evil1 is a Canon S400 shot with a malformed EXIF.
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
    NpmPhoto(
        "exif", "test/sony-alpha-6000.jpg", "photo-night", "MIT (LICENSE.md; EXIF: Sony A6000)"
    ),
    NpmPhoto(
        "exif", "test/short-ascii-II.jpg", "photo-old-phone", "MIT (LICENSE.md; EXIF: Xiaomi MI3)"
    ),
    NpmPhoto(
        "exif", "test/short-ascii-MM.jpg", "photo-nature", "MIT (LICENSE.md; EXIF: Canon S40)"
    ),
    NpmPhoto("exif", "test/evil1.jpg", "photo-interior", "MIT (LICENSE.md; EXIF: Canon S400)"),
    *(
        NpmPhoto(
            "exif", f"test/test{n}.jpg", "photo-old-phone", "MIT (LICENSE.md; EXIF: iPhone 4S)"
        )
        for n in range(1, 4)
    ),
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
