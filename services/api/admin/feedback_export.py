"""Confirmed reports as a labelled dataset the training pipeline reads: a tar of images + JSONL."""

from __future__ import annotations

import io
import json
import tarfile
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from services.api.images.storage import ImageStorage
from services.api.reports.models import Report

MANIFEST_NAME = "manifest.jsonl"
EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/avif": "avif",
    "image/heic": "heic",
    "image/tiff": "tif",
}


@dataclass(frozen=True, slots=True)
class ExportEntry:
    """One labelled image: the latest confirmed claim about it wins."""

    path: str
    storage_key: str
    record: dict[str, object]


def entries_of(reports: Sequence[Report]) -> list[ExportEntry]:
    """One entry per distinct image, labelled by its most recently confirmed report."""
    by_image: dict[str, ExportEntry] = {}
    for report in reports:
        image = report.prediction.image
        path = f"images/{image.sha256}.{EXTENSIONS.get(image.mime_type, 'bin')}"
        by_image[image.sha256] = ExportEntry(
            path=path,
            storage_key=image.storage_key,
            record={
                "file": path,
                "label": report.claimed_label,
                "sha256": image.sha256,
                "mime_type": image.mime_type,
                "report_id": str(report.id),
                "prediction_id": str(report.prediction_id),
                "model_version": report.prediction.model_version,
                "model_verdict": report.prediction.verdict,
                "source_url": report.source_url,
                "confirmed_at": report.resolved_at.isoformat() if report.resolved_at else None,
            },
        )
    return list(by_image.values())


class _Sink(io.RawIOBase):
    """A write-only stream whose bytes are taken out as they come."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self._chunks.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        chunk, self._chunks = b"".join(self._chunks), []
        return chunk


def _add(archive: tarfile.TarFile, *, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(time.time()), 0o644
    archive.addfile(info, io.BytesIO(data))


async def stream_export(
    *, entries: list[ExportEntry], storage: ImageStorage
) -> AsyncIterator[bytes]:
    """Stream the tar: every image still stored, then the manifest of exactly those images."""
    sink = _Sink()
    archive = tarfile.open(fileobj=sink, mode="w|")  # noqa: SIM115 - closed below, streamed
    lines: list[str] = []
    for entry in entries:
        data = await storage.get(key=entry.storage_key)
        if data is None:
            continue
        _add(archive, name=entry.path, data=data)
        lines.append(json.dumps(entry.record, sort_keys=True))
        yield sink.take()
    _add(archive, name=MANIFEST_NAME, data=("\n".join(lines) + "\n").encode() if lines else b"")
    archive.close()
    yield sink.take()
