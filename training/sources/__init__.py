"""Where labelled images come from: folders, JSONL/CSV manifests, the API's feedback export."""

from __future__ import annotations

from pathlib import Path

from training.samples import DatasetError, Sample
from training.sources.feedback import FEEDBACK_SUFFIXES, samples_from_feedback
from training.sources.folders import samples_from_folder
from training.sources.manifests import MANIFEST_SUFFIXES, samples_from_manifest


def load_samples(source: Path, *, workdir: Path) -> list[Sample]:
    """Every labelled image of a folder, manifest or feedback export (unpacked under `workdir`)."""
    if source.is_dir():
        return samples_from_folder(source)
    if source.name.endswith(FEEDBACK_SUFFIXES):
        return samples_from_feedback(source, workdir=workdir)
    if source.suffix.lower() in MANIFEST_SUFFIXES:
        return samples_from_manifest(source)
    raise DatasetError(
        f"{source} is not a folder, a .jsonl/.csv manifest or a feedback .tar export"
    )
