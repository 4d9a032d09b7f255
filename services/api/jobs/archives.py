"""Zip uploads: each image inside becomes one job item, within limits (no zip bombs)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from services.common.problems import UnprocessableContent


@dataclass(frozen=True, slots=True)
class NamedBytes:
    """A file's name and content, from the request or from inside an archive."""

    filename: str | None
    data: bytes


def is_zip(data: bytes) -> bool:
    """Whether the bytes are a zip archive."""
    return data[:4] == b"PK\x03\x04" and zipfile.is_zipfile(io.BytesIO(data))


def expand(files: list[NamedBytes], *, max_items: int, max_member_bytes: int) -> list[NamedBytes]:
    """Every file, with each zip replaced by the files inside it, in order."""
    expanded: list[NamedBytes] = []
    for file in files:
        expanded.extend(_members(file.data, max_member_bytes) if is_zip(file.data) else [file])
        if len(expanded) > max_items:
            raise UnprocessableContent(f"A job holds at most {max_items} images.")
    return expanded


def _members(data: bytes, max_member_bytes: int) -> Iterator[NamedBytes]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                path = PurePosixPath(info.filename)
                if info.is_dir() or path.name.startswith(".") or "__MACOSX" in path.parts:
                    continue
                # Declared sizes can lie: read at most one byte past the limit, so an
                # oversized member is refused as its own item without inflating it.
                with archive.open(info) as member:
                    yield NamedBytes(filename=path.name, data=member.read(max_member_bytes + 1))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError) as exc:
        raise UnprocessableContent(
            "The zip archive is corrupt or uses an unsupported method."
        ) from exc
