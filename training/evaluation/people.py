"""Whether a person is in a picture, from OpenCV's Haar face cascades (frontal and profile)."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import cv2

Box = tuple[int, int, int, int]

FRONTAL = "haarcascade_frontalface_default.xml"
PROFILE = "haarcascade_profileface.xml"
# Chosen on the real class's own photographs (30 with faces, 236 without; never the evaluation
# corpus): faces are looked for on a copy whose long side is DETECT_SIDE, at least MIN_FACE of its
# short side, and kept where enough overlapping windows agree (NEIGHBOURS). That finds 23 of the
# 30 and 5 of the 236 (carved and statue faces, a panda, a leaf, the moon); fewer neighbours or a
# larger copy let in many more animal faces and stone textures. Profiles are looked for both ways.
DETECT_SIDE = 640
MIN_FACE = 0.03
NEIGHBOURS = {FRONTAL: 15, PROFILE: 10}
SCALE_STEP = 1.1


@cache
def _cascade(name: str) -> cv2.CascadeClassifier:
    import cv2.data

    cascade = cv2.CascadeClassifier(f"{cv2.data.haarcascades}{name}")
    if cascade.empty():
        raise FileNotFoundError(f"OpenCV's {name} is not installed")
    return cascade


def _grey(pixels: np.ndarray) -> np.ndarray:
    """Equalised 8-bit grey, shrunk so that its long side is at most DETECT_SIDE."""
    import cv2

    grey = cv2.cvtColor(pixels, cv2.COLOR_RGB2GRAY) if pixels.ndim == 3 else pixels
    factor = DETECT_SIDE / max(grey.shape[:2])
    if factor < 1:
        grey = cv2.resize(grey, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    return np.asarray(cv2.equalizeHist(np.ascontiguousarray(grey, dtype=np.uint8)))


def _detect(grey: np.ndarray, *, name: str) -> list[Box]:
    side = max(round(MIN_FACE * min(grey.shape[:2])), 20)
    found, agreeing = _cascade(name).detectMultiScale2(
        grey, scaleFactor=SCALE_STEP, minNeighbors=3, minSize=(side, side)
    )
    return [
        (int(x), int(y), int(w), int(h))
        for (x, y, w, h), count in zip(found, agreeing, strict=True)
        if count >= NEIGHBOURS[name]
    ]


def _overlaps(first: Box, second: Box) -> bool:
    """Whether one box's centre lies inside the other (the same face found twice)."""
    (x, y, w, h), (u, v, s, t) = first, second
    return (x <= u + s / 2 <= x + w and y <= v + t / 2 <= y + h) or (
        u <= x + w / 2 <= u + s and v <= y + h / 2 <= v + t
    )


def face_boxes(pixels: np.ndarray) -> list[Box]:
    """Faces (x, y, width, height on the shrunk grey copy): frontal, then profiles facing
    either way, each face once."""
    grey = _grey(pixels)
    width = grey.shape[1]
    mirrored = [
        (width - x - w, y, w, h)
        for x, y, w, h in _detect(np.ascontiguousarray(grey[:, ::-1]), name=PROFILE)
    ]
    boxes: list[Box] = []
    for box in [*_detect(grey, name=FRONTAL), *_detect(grey, name=PROFILE), *mirrored]:
        if not any(_overlaps(box, kept) for kept in boxes):
            boxes.append(box)
    return boxes


def face_count(pixels: np.ndarray) -> int:
    """How many faces the cascades find in 8-bit RGB or grey pixels."""
    return len(face_boxes(pixels))


def person_in_picture(pixels: np.ndarray) -> bool:
    """Whether at least one face is found: the "a person is in it" split of validation."""
    return face_count(pixels) > 0
