"""The built training set's images (real generator stills, photos, renders) as recipe images.

Each passes through the matched processing (`data/processing.py`), the same random pipeline for
both classes, and keeps its split, so a still held out of the semantic view's training stays
held out of this one too.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from training.data.processing import ProcessingConfig, processed
from training.pipeline.images import read_pixels
from training.samples import DatasetError


def dataset_rows(manifest: Path, *, skip: set[str]) -> list[dict[str, Any]]:
    """The rows of a `deepcatcher data build` manifest, without the names in `skip`."""
    if not manifest.is_file():
        raise DatasetError(
            f"{manifest} is missing: run `deepcatcher data build --out {manifest.parent}` first"
        )
    rows = [json.loads(line) for line in manifest.read_text().splitlines() if line.strip()]
    return [row for row in rows if row["name"] not in skip]


def manifest_digest(manifest: Path) -> str:
    """The manifest's sha256: a rebuilt dataset with other images makes a cached recipe stale."""
    return hashlib.sha256(manifest.read_bytes()).hexdigest()


def still_row(row: dict[str, Any], *, relative: str) -> dict[str, Any]:
    """A recipe manifest line for one processed dataset image."""
    fake = row["label"] == "ai"
    return {
        "file": relative,
        "label": "fake" if fake else "real",
        "split": row["split"],
        "group": row["name"],
        "scale": 1.0,
        "generator": f"still-{row['family']}" if fake else "",
        "generator_kind": "seen" if fake else "",
        "generator_type": "still" if fake else "",
        "real_kind": "" if fake else row["family"],
    }


def write_dataset_images(
    rows: list[dict[str, Any]], *, base: Path, out: Path, copies: int, seed: int
) -> list[dict[str, Any]]:
    """Each dataset image (files relative to `base`) processed `copies` times (once outside
    `train`), its decoded pixels saved losslessly."""
    rng = np.random.default_rng(seed)
    config, written = ProcessingConfig(), []
    for row in rows:
        pixels = read_pixels(base / row["file"])
        for copy in range(copies if row["split"] == "train" else 1):
            relative = f"dataset/{row['label']}/{row['name']}-{copy}.png"
            (out / relative).parent.mkdir(parents=True, exist_ok=True)
            result = processed(pixels, rng=rng, config=config).pixels
            Image.fromarray(result).save(out / relative, format="PNG", compress_level=1)
            written.append(still_row(row, relative=relative))
    return written
