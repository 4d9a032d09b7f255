"""Embeddings kept between trainings: an image is embedded again only when its file, its
split, the low-level model or the draws changed, so adding photos costs only their samples.
The cache is rewritten after every chunk of rows, so a stopped run resumes where it stopped;
rows of images another manifest holds are kept too, so training on a second build (one with
GAN images, say) and then on the first again embeds nothing twice."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from training.data.build import DataRow
from training.semantic.embed import Embedded, Sample, joined

CHUNK_ROWS = 40
STORED = ("row_keys", "conditions", "long_sides", "features", "lowlevel", "layers")
Stored = dict[str, np.ndarray]


def row_key(row: DataRow) -> str:
    """What must be unchanged for a row's cached samples to stand."""
    return f"{row.name}/{row.sha256}/{row.split}"


def stored_arrays(path: Path, *, key: str) -> Stored | None:
    """Every array the cache holds, read once; None when there is none for `key`."""
    if not path.exists():
        return None
    stored = np.load(path)
    if str(stored["key"]) != key:
        return None
    return {name: stored[name] for name in STORED if name in stored.files}


def read_cache(
    path: Path, *, rows: list[DataRow], key: str
) -> tuple[Embedded | None, list[DataRow]]:
    """The cached samples of rows unchanged since, and the rows still to embed."""
    return cached_rows(stored_arrays(path, key=key), rows=rows)


def cached_rows(
    stored: Stored | None, *, rows: list[DataRow]
) -> tuple[Embedded | None, list[DataRow]]:
    """The stored samples of rows unchanged since, and the rows still to embed."""
    if stored is None:
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
    layers = stored["layers"][keep] if "layers" in stored else None
    cached = Embedded(samples, stored["features"][keep], stored["lowlevel"][keep], layers)
    return cached if samples else None, [row for row in rows if row_key(row) not in done]


def other_images(stored: Stored | None, *, rows: list[DataRow]) -> Stored:
    """The stored arrays of the samples of images that `rows` do not name, kept for a later
    manifest; an image `rows` name whose file or split changed is stale and is not kept."""
    if stored is None:
        return {}
    names = {row.name for row in rows}
    other = np.array([str(k).rsplit("/", 2)[0] not in names for k in stored["row_keys"]])
    return {name: array[other] for name, array in stored.items()}


def write_cache(path: Path, embedded: Embedded, *, key: str, others: Stored | None = None) -> None:
    """Keep every sample's features under `key`, after the `others` (other images') arrays."""
    arrays: dict[str, Any] = {
        "row_keys": [row_key(s.row) for s in embedded.samples],
        "conditions": [s.condition for s in embedded.samples],
        "long_sides": [s.long_side for s in embedded.samples],
        "features": embedded.features,
        "lowlevel": embedded.lowlevel_logits,
    }
    if embedded.layers is not None:
        arrays["layers"] = embedded.layers
    if others and others.keys() == arrays.keys():
        arrays = {name: np.concatenate([others[name], arrays[name]]) for name in arrays}
    arrays["key"] = key
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
    # Read once: this manifest's cached samples and the other images' arrays both come from it.
    stored = stored_arrays(cache, key=key) if cache else None
    cached, missing = cached_rows(stored, rows=rows)
    others = other_images(stored, rows=rows)
    del stored  # the whole file's arrays need not stay in memory through the embedding
    parts = [cached] if cached is not None else []
    for start in range(0, len(missing), CHUNK_ROWS):
        parts.append(embed_rows(missing[start : start + CHUNK_ROWS]))
        if cache is not None:
            write_cache(cache, joined(parts), key=key, others=others)
    return in_manifest_order(joined(parts), rows=rows)


def in_manifest_order(embedded: Embedded, *, rows: list[DataRow]) -> Embedded:
    """The samples in their rows' manifest order, so a fit never depends on what was cached."""
    place = {row_key(row): i for i, row in enumerate(rows)}
    order = sorted(
        range(len(embedded.samples)), key=lambda i: place[row_key(embedded.samples[i].row)]
    )
    layers = embedded.layers[order] if embedded.layers is not None else None
    return Embedded(
        [embedded.samples[i] for i in order],
        embedded.features[order],
        embedded.lowlevel_logits[order],
        layers,
    )
