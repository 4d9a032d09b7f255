"""One labelled training or evaluation image, wherever it came from, and how splits are drawn."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

import numpy as np

Split = Literal["train", "val", "test"]
SPLITS: tuple[Split, ...] = ("train", "val", "test")

# Label words seen in datasets and exports, mapped to 1 (generated) or 0 (real).
LABEL_WORDS: dict[str, int] = {
    "real": 0,
    "authentic": 0,
    "fake": 1,
    "ai": 1,
    "generated": 1,
    "synthetic": 1,
}
SPLIT_WORDS: dict[str, Split] = {
    "train": "train",
    "training": "train",
    "val": "val",
    "valid": "val",
    "validation": "val",
    "test": "test",
    "testing": "test",
}


class DatasetError(ValueError):
    """A dataset, manifest or export that cannot be read as labelled images."""


@dataclass(frozen=True, slots=True)
class Sample:
    """An image file, its label (1 = generated), the source it shares a split with, and extras."""

    path: Path
    label: int
    group: str
    split: Split | None = None
    extra: dict[str, str] = field(default_factory=dict)


def label_value(word: str) -> int:
    """1 for a generated image, 0 for a real one, from any of the usual label words."""
    try:
        return LABEL_WORDS[word.strip().lower()]
    except KeyError:
        raise DatasetError(f"unknown label {word!r}; use one of {sorted(LABEL_WORDS)}") from None


def split_value(word: str) -> Split | None:
    """The split a word such as `validation` names, or None for an empty word."""
    if not word.strip():
        return None
    try:
        return SPLIT_WORDS[word.strip().lower()]
    except KeyError:
        raise DatasetError(f"unknown split {word!r}; use train, val or test") from None


def split_for_group(*, group: str, seed: int, val_share: float, test_share: float) -> Split:
    """A stable split for a source: every crop and variant of one photo lands in the same one."""
    digest = hashlib.sha256(f"{seed}:{group}".encode()).digest()
    position = int.from_bytes(digest[:8], "big") / 2**64
    if position < test_share:
        return "test"
    return "val" if position < test_share + val_share else "train"


def with_splits(
    samples: list[Sample], *, seed: int, val_share: float = 0.1, test_share: float = 0.1
) -> list[Sample]:
    """The samples with a split each: the one they carry, else one drawn from their group."""

    def drawn(group: str) -> Split:
        return split_for_group(group=group, seed=seed, val_share=val_share, test_share=test_share)

    return [s if s.split else replace(s, split=drawn(s.group)) for s in samples]


def with_validation(samples: list[Sample], *, seed: int, share: float = 0.1) -> list[Sample]:
    """The samples, with a share of `train` sources moved to `val` when a dataset has no `val`."""
    if any(sample.split == "val" for sample in samples):
        return samples

    def moved(group: str) -> bool:
        return split_for_group(group=group, seed=seed, val_share=share, test_share=0.0) == "val"

    return [
        replace(s, split="val") if s.split == "train" and moved(s.group) else s for s in samples
    ]


def in_split(samples: list[Sample], split: Split) -> list[Sample]:
    """The samples of one split."""
    return [sample for sample in samples if sample.split == split]


def seeded_splits(
    groups: dict[str, str], *, seed: int, val_share: float, test_share: float
) -> dict[str, Split]:
    """A seeded train/val/test split of names within each group, so that every split mixes
    the groups; groups are visited in name order, so the same inputs give the same splits."""
    rng = np.random.default_rng(seed)
    splits: dict[str, Split] = {}
    for group in sorted(set(groups.values())):
        names = sorted(name for name, g in groups.items() if g == group)
        order = [names[i] for i in rng.permutation(len(names))]
        n_test, n_val = round(len(names) * test_share), round(len(names) * val_share)
        for position, name in enumerate(order):
            splits[name] = (
                "test" if position < n_test else "val" if position < n_test + n_val else "train"
            )
    return splits
