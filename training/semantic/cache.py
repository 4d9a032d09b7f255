"""Embeddings kept between trainings: an image is embedded again only when its file, its
split, the low-level model or the draws changed, so adding photos costs only their samples.
The cache is rewritten after every chunk of rows, so a stopped run resumes where it stopped."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from training.data.build import DataRow
from training.semantic.embed import Embedded, Sample, joined

CHUNK_ROWS = 40


def row_key(row: DataRow) -> str:
    """What must be unchanged for a row's cached samples to stand."""
    return f"{row.name}/{row.sha256}/{row.split}"


def read_cache(
    path: Path, *, rows: list[DataRow], key: str
) -> tuple[Embedded | None, list[DataRow]]:
    """The cached samples of rows unchanged since, and the rows still to embed."""
    if not path.exists():
        return None, rows
    stored = np.load(path)
    if str(stored["key"]) != key:
        return None, rows
    wanted = {row_key(row): row for row in rows}
    keys = [str(k) for k in stored["row_keys"]]
    keep = np.array([k in wanted for k in keys], dtype=bool)
    samples = [
        Sample(row=wanted[k], condition=str(c), long_side=int(side))
        for k, c, side, kept in zip(
            keys, stored["conditions"], stored["long_sides"], keep, strict=True
        )
        if kept
    ]
    done = set(np.array(keys)[keep].tolist())
    layers = stored["layers"][keep] if "layers" in stored.files else None
    cached = Embedded(samples, stored["features"][keep], stored["lowlevel"][keep], layers)
    return cached if samples else None, [row for row in rows if row_key(row) not in done]


def write_cache(path: Path, embedded: Embedded, *, key: str) -> None:
    """Keep every sample's features under `key`."""
    arrays: dict[str, Any] = {
        "key": key,
        "row_keys": [row_key(s.row) for s in embedded.samples],
        "conditions": [s.condition for s in embedded.samples],
        "long_sides": [s.long_side for s in embedded.samples],
        "features": embedded.features,
        "lowlevel": embedded.lowlevel_logits,
    }
    if embedded.layers is not None:
        arrays["layers"] = embedded.layers
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written beside and moved into place, so a run stopped mid-write keeps the last whole cache.
    partial = path.with_name(f"{path.name}.partial.npz")
    np.savez(partial, **arrays)
    os.replace(partial, path)


def embedded_with_cache(
    rows: list[DataRow],
    *,
    cache: Path | None,
    key: str,
    embed_rows: Callable[[list[DataRow]], Embedded],
) -> Embedded:
    """Every row's samples: cached ones reused, the rest embedded CHUNK_ROWS at a time, the
    cache rewritten after each chunk."""
    cached, missing = read_cache(cache, rows=rows, key=key) if cache else (None, rows)
    parts = [cached] if cached is not None else []
    for start in range(0, len(missing), CHUNK_ROWS):
        parts.append(embed_rows(missing[start : start + CHUNK_ROWS]))
        if cache is not None:
            write_cache(cache, joined(parts), key=key)
    return joined(parts)
