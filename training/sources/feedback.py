"""The API's feedback export: a tar of manifest.jsonl and images/<sha256>.<ext> files."""

from __future__ import annotations

import tarfile
from pathlib import Path

from training.samples import DatasetError, Sample
from training.sources.manifests import samples_from_manifest

FEEDBACK_SUFFIXES = (".tar", ".tar.gz", ".tgz")
FEEDBACK_MANIFEST = "manifest.jsonl"


def samples_from_feedback(archive: Path, *, workdir: Path) -> list[Sample]:
    """Unpack a feedback export safely into `workdir` and read its manifest."""
    target = workdir / archive.name.split(".")[0]
    target.mkdir(parents=True, exist_ok=True)
    try:
        with tarfile.open(archive) as tar:
            # The "data" filter refuses absolute paths, links out of the folder and device files.
            tar.extractall(target, filter="data")
    except (tarfile.TarError, OSError) as exc:
        raise DatasetError(f"{archive} is not a readable feedback export: {exc}") from exc
    manifest = target / FEEDBACK_MANIFEST
    if not manifest.is_file():
        raise DatasetError(f"{archive} has no {FEEDBACK_MANIFEST}")
    samples = samples_from_manifest(manifest)
    # An export is untrusted input: its manifest may only name files that came in the archive.
    if outside := [
        s.path for s in samples if not s.path.resolve().is_relative_to(target.resolve())
    ]:
        raise DatasetError(f"{archive} names files outside the export: {outside[0]}")
    return samples
