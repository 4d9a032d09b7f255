"""Photographs that npm packages ship, installed by `make install` into `data/npm/`."""

from __future__ import annotations

import json
from pathlib import Path

from services.inference.training.recipe.photos import Photo, file_loader

NPM_ROOT = Path(__file__).parent / "npm" / "node_modules"

# @vladmandic/face-api's demo photos: group photos of people that its author took (its README:
# "Photos shown below are taken by me"; EXIF: Sony A7/A7 II and one Samsung phone).
FACE_API = "@vladmandic/face-api"
FACE_API_PHOTOS = tuple(f"demo/sample{n}.jpg" for n in range(1, 7))


def npm_photos(*, root: Path = NPM_ROOT) -> list[Photo]:
    """The chosen photographs of the installed npm packages; none where they are not installed."""
    package = root / FACE_API
    manifest = package / "package.json"
    if not manifest.exists():
        return []
    meta = json.loads(manifest.read_text(encoding="utf-8"))
    return [
        Photo(
            name=f"face-api-{Path(path).stem}",
            origin=f"{FACE_API}=={meta['version']}",
            licence=f"{meta['license']} (photos by the package's author, Vladimir Mandic)",
            load=file_loader(package / path),
            kind="photo-people",
        )
        for path in FACE_API_PHOTOS
    ]
