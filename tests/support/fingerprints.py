"""PDQ fingerprints of test pictures, as the inference service computes them."""

from __future__ import annotations

import uuid
from typing import Any

import numpy as np
from PIL import Image

from services.api.db.base import utcnow
from services.api.known_images.index import BITS, as_codes, codes_of, distances
from services.api.known_images.matching import query_hashes, stored_codes
from services.common.contract import Fingerprints
from services.inference.fingerprints.pdq import fingerprints_of


def fingerprints(image: Image.Image, *, for_known: bool = False) -> Fingerprints:
    """The fingerprints of a Pillow image's RGB pixels."""
    return fingerprints_of(np.asarray(image.convert("RGB")), for_known=for_known)


def known_codes(known: list[Fingerprints]) -> np.ndarray:
    """Every hash of these known images, as the index keeps them."""
    return as_codes(b"".join(stored_codes(entry) for entry in known))


def nearest_known(codes: np.ndarray, *, check: Fingerprints) -> int:
    """The fewest bits between any known hash and any of a check's looked-up hashes."""
    queries = as_codes(codes_of(query_hashes(check)))
    return int(distances(codes, queries=queries).min()) if len(queries) else BITS


def known_row(codes: bytes) -> dict[str, Any]:
    """A live known_images row of an imported AI image, indexed by these 32-byte codes."""
    now = utcnow()
    return {
        "id": uuid.uuid4(),
        "label": "ai",
        "source": "import",
        "note": "",
        "pdq": codes[:32].hex(),
        "pdq_codes": codes,
        "created_at": now,
        "changed_at": now,
    }
