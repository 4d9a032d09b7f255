"""PDQ fingerprints of test pictures, as the inference service computes them."""

from __future__ import annotations

import numpy as np
from PIL import Image

from services.common.contract import Fingerprints
from services.inference.fingerprints.pdq import fingerprints_of


def fingerprints(image: Image.Image, *, for_known: bool = False) -> Fingerprints:
    """The fingerprints of a Pillow image's RGB pixels."""
    return fingerprints_of(np.asarray(image.convert("RGB")), for_known=for_known)
