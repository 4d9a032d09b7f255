"""JSONL and CSV manifests: one image a row, `file` (relative to the manifest) and `label`."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from training.samples import DatasetError, Sample, label_value, split_value

MANIFEST_SUFFIXES = frozenset({".jsonl", ".csv"})
# Columns that say which source photo a row came from, so its variants share a split.
GROUP_COLUMNS = ("group", "source", "source_photo", "sha256")


def samples_from_manifest(path: Path) -> list[Sample]:
    """The images a manifest lists (`label` real, fake or ai; `split` and `group` optional)."""
    rows = _jsonl_rows(path) if path.suffix.lower() == ".jsonl" else _csv_rows(path)
    samples = [_sample(row=row, base=path.parent, line=line) for line, row in enumerate(rows, 1)]
    if not samples:
        raise DatasetError(f"{path} lists no images")
    return samples


def _jsonl_rows(path: Path) -> list[dict[str, Any]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    try:
        return [json.loads(line) for line in lines if line.strip()]
    except json.JSONDecodeError as exc:
        raise DatasetError(f"{path} is not valid JSONL: {exc}") from exc


def _csv_rows(path: Path) -> list[dict[str, Any]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _sample(*, row: dict[str, Any], base: Path, line: int) -> Sample:
    if not row.get("file") or not row.get("label"):
        raise DatasetError(f"row {line} needs `file` and `label`")
    file = base / str(row["file"])
    group = next((str(row[key]) for key in GROUP_COLUMNS if row.get(key)), str(row["file"]))
    extra = {key: str(value) for key, value in row.items() if key not in {"file", "label"}}
    split = split_value(str(row.get("split") or ""))
    return Sample(
        path=file, label=label_value(str(row["label"])), group=group, split=split, extra=extra
    )
