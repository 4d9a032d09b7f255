"""A camera and scanner pipeline: realistic variants of real photos for the real class."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from training.data.camera.scans import film_scan, print_scan
from training.data.camera.variants import (
    camera_jpeg,
    hdr,
    low_light_camera,
    low_light_phone,
    old_phone,
    white_balance,
)

CAMERA_VARIANTS: dict[str, Callable[..., np.ndarray]] = {
    "low_light_phone": low_light_phone,
    "low_light_camera": low_light_camera,
    "white_balance": white_balance,
    "hdr": hdr,
    "camera_jpeg": camera_jpeg,
    "old_phone": old_phone,
    "print_scan": print_scan,
    "film_scan": film_scan,
}

__all__ = [
    "CAMERA_VARIANTS",
    "camera_jpeg",
    "film_scan",
    "hdr",
    "low_light_camera",
    "low_light_phone",
    "old_phone",
    "print_scan",
    "white_balance",
]
