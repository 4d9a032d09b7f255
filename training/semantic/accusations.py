"""How often real images are called fake: per kind, with people apart, and with intervals.

A source photo and its camera variants are separate images but not independent evidence, so
every rate carries two 95% intervals: the exact binomial one over images, and a bootstrap one
that resamples source photos (the honest one when variants share a source).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from scipy.stats import binomtest

from training.semantic.embed import CAMERA, Embedded

BOOTSTRAP_DRAWS = 2000
AS_MADE = "as made"


def exact_interval(accused: int, images: int) -> tuple[float, float]:
    """The Clopper-Pearson 95% interval of accused / images."""
    found = binomtest(accused, images).proportion_ci(confidence_level=0.95, method="exact")
    return round(float(found.low), 4), round(float(found.high), 4)


def source_interval(
    accused: np.ndarray, sources: np.ndarray, *, seed: int = 0
) -> tuple[float, float]:
    """The 95% percentile interval of the accused share when source photos are resampled."""
    names, position = np.unique(sources, return_inverse=True)
    per_source = np.bincount(position, weights=accused.astype(np.float64))
    counts = np.bincount(position)
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(names), size=(BOOTSTRAP_DRAWS, len(names)))
    shares = per_source[draws].sum(axis=1) / counts[draws].sum(axis=1)
    low, high = np.quantile(shares, [0.025, 0.975])
    return round(float(low), 4), round(float(high), 4)


def rate_with_intervals(accused: np.ndarray, sources: np.ndarray) -> dict[str, Any]:
    """Images, accused, their share and both intervals."""
    count, total = int(accused.sum()), len(accused)
    if not total:
        return {"images": 0, "accused": 0}
    photos = len(set(sources.tolist()))
    return {
        "images": total,
        "sources": photos,
        "accused": count,
        "rate": round(count / total, 4),
        "interval_exact": exact_interval(count, total),
        # Resampling photos cannot widen "none accused"; then only the photos count as
        # evidence: the exact interval of none in that many.
        "interval_by_source": (
            source_interval(accused, sources) if count else exact_interval(0, photos)
        ),
    }


def condition_group(condition: str) -> str:
    """`as made` for an image as it was made or varied, else the condition it went through."""
    if condition == "original" or (condition.startswith(CAMERA) and "+" not in condition):
        return AS_MADE
    return condition


def per_image(
    embedded: Embedded, indices: np.ndarray, *, called: np.ndarray, label: int
) -> dict[str, dict[str, Any]]:
    """Per image (source photo or camera variant) of one class: its source, kind, and whether
    it was called fake as made and under any condition."""
    images: dict[str, dict[str, Any]] = {}
    for position, index in enumerate(indices):
        sample = embedded.samples[index]
        if embedded.labels[index] != label:
            continue
        entry = images.setdefault(
            sample.image,
            {"source": sample.row.name, "kind": sample.row.family, "as_made": False, "any": False},
        )
        fake = bool(called[position] == "fake")
        entry["any"] = entry["any"] or fake
        if condition_group(sample.condition) == AS_MADE:
            entry["as_made"] = fake
    return images


def false_accusations(
    embedded: Embedded, indices: np.ndarray, *, called: np.ndarray
) -> dict[str, Any]:
    """Real images called fake as made and under any condition, with intervals."""
    images = list(per_image(embedded, indices, called=called, label=0).values())
    sources = np.array([entry["source"] for entry in images])
    return {
        "as_made": rate_with_intervals(np.array([e["as_made"] for e in images]), sources),
        "any_condition": rate_with_intervals(np.array([e["any"] for e in images]), sources),
    }


def per_kind(
    embedded: Embedded,
    indices: np.ndarray,
    *,
    called: np.ndarray,
    people: Mapping[str, bool] | None = None,
) -> dict[str, dict[str, Any]]:
    """Per kind of real image (and with or without people, where known): images and how many
    were called fake under any condition, with intervals."""
    images = list(per_image(embedded, indices, called=called, label=0).values())
    groups: dict[str, list[dict[str, Any]]] = {}
    for entry in images:
        groups.setdefault(entry["kind"], []).append(entry)
        if people is not None and entry["source"] in people:
            key = "with people" if people[entry["source"]] else "without people"
            groups.setdefault(key, []).append(entry)
    return {
        kind: rate_with_intervals(
            np.array([e["any"] for e in found]), np.array([e["source"] for e in found])
        )
        for kind, found in sorted(groups.items())
    }
