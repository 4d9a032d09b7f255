"""Image folders: DIR/real/… and DIR/fake/…, optionally under DIR/train|val|test/."""

from __future__ import annotations

from pathlib import Path

from training.samples import LABEL_WORDS, SPLIT_WORDS, DatasetError, Sample

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".avif", ".heic", ".heif", ".bmp"})


def samples_from_folder(root: Path) -> list[Sample]:
    """Every image below a `real` or `fake` folder (any case; `ai` counts as fake)."""
    samples = [_sample(root=root, path=path) for path in sorted(root.rglob("*")) if _is_image(path)]
    labelled = [sample for sample in samples if sample is not None]
    if not labelled:
        raise DatasetError(f"{root} has no images under real/ or fake/ folders")
    return labelled


def _is_image(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() in IMAGE_SUFFIXES


def _sample(*, root: Path, path: Path) -> Sample | None:
    parts = [part.lower() for part in path.relative_to(root).parts[:-1]]
    labels = [LABEL_WORDS[part] for part in parts if part in LABEL_WORDS]
    if not labels:
        return None
    splits = [SPLIT_WORDS[part] for part in parts if part in SPLIT_WORDS]
    # Nothing ties two files of a plain folder together, so each file is its own source.
    group = str(path.relative_to(root).with_suffix(""))
    return Sample(path=path, label=labels[-1], group=group, split=splits[0] if splits else None)
