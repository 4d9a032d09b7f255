"""Zip uploads: each image inside becomes one job item, within limits (no zip bombs).

Expanding is two steps, both blocking (run them in a thread): `plan` reads only the archives'
central directories and refuses a request that would expand past the budget; `read` then
inflates one member at a time, so a job never holds more than one image's bytes. A caller that
reads only some entries (a known-images import) lists them with `entries` and charges just
those with `charge`.
"""

from __future__ import annotations

import logging
import lzma
import struct
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import BinaryIO

from services.common.problems import PayloadTooLarge, ProblemError, UnprocessableContent

logger = logging.getLogger("deepcatcher.jobs")
# What zipfile raises for a hostile or broken archive: bad magic or CRC, a corrupt deflate, bzip2
# (OSError) or LZMA stream, truncation, encryption (RuntimeError), unknown versions or methods,
# offsets that point nowhere (ValueError).
UNREADABLE = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    lzma.LZMAError,
    struct.error,
    EOFError,
    OSError,
    ValueError,
    NotImplementedError,
    RuntimeError,
)
# Central-directory bytes allowed per job item: zipfile holds a few hundred bytes per entry, so
# this keeps an archive of millions of empty entries from costing gigabytes before any check.
CENTRAL_DIRECTORY_BYTES_PER_ITEM = 4096


@dataclass(frozen=True, slots=True)
class ArchiveLimits:
    """How many items a job may hold and how far its zips may expand."""

    max_items: int
    max_member_bytes: int
    max_expanded_bytes: int
    max_ratio: float


@dataclass(frozen=True, slots=True)
class NamedFile:
    """An uploaded file: its name and its (seekable) content."""

    filename: str | None
    file: BinaryIO


@dataclass(frozen=True, slots=True)
class Member:
    """One file to check: a plain upload, an archive's entry, or why it cannot be read.

    `filename` is the name a job shows; `path` is an entry's full path inside its archive.
    """

    filename: str | None
    path: str | None = None
    file: BinaryIO | None = None
    archive: zipfile.ZipFile | None = None
    info: zipfile.ZipInfo | None = None
    error: ProblemError | None = None


class ArchiveTooLarge(PayloadTooLarge):
    slug = "archive-too-large"


class UnreadableEntry(UnprocessableContent):
    slug = "unreadable-archive-entry"


@dataclass(slots=True)
class Plan:
    """Every member of a request, in order, and the archives to close once they are read."""

    members: list[Member] = field(default_factory=list)
    archives: list[zipfile.ZipFile] = field(default_factory=list)
    expanded_bytes: int = 0

    def close(self) -> None:
        """Close every archive opened for reading."""
        for archive in self.archives:
            archive.close()


def plan(files: list[NamedFile], *, limits: ArchiveLimits) -> Plan:
    """Every file, with each zip replaced by its entries; refused whole if it is too big."""
    result = Plan()
    try:
        for named in files:
            _add(result, named=named, limits=limits)
            if len(result.members) > limits.max_items:
                raise UnprocessableContent(f"A job holds at most {limits.max_items} images.")
    except ProblemError:
        result.close()
        raise
    return result


def is_zip(file: BinaryIO) -> bool:
    """Whether the file is a zip archive (one that starts like one, not just ends like one)."""
    file.seek(0)
    return file.read(4) == b"PK\x03\x04" and zipfile.is_zipfile(file)


def entries(named: NamedFile, *, limits: ArchiveLimits) -> Plan:
    """One zip's entries, none inflated and none charged yet: the caller charges what it reads."""
    result = Plan()
    try:
        archive = _open(named, limits=limits)
    except UNREADABLE as exc:
        raise _corrupt_directory(exc) from exc
    result.archives.append(archive)
    result.members.extend(_members(archive, limits=limits))
    return result


def _add(result: Plan, *, named: NamedFile, limits: ArchiveLimits) -> None:
    if not is_zip(named.file):
        result.members.append(Member(filename=named.filename, file=named.file))
        return
    try:
        archive = _open(named, limits=limits)
    except UNREADABLE as exc:
        result.members.append(Member(filename=named.filename, error=_corrupt_directory(exc)))
        return
    result.archives.append(archive)
    members = _members(archive, limits=limits)
    charge(result, named=named, members=members, limits=limits)
    result.members.extend(members)


def _corrupt_directory(exc: Exception) -> UnreadableEntry:
    logger.info("unreadable zip directory", extra={"error": repr(exc)})
    return UnreadableEntry("The zip archive is corrupt: its directory cannot be read.")


def _members(archive: zipfile.ZipFile, *, limits: ArchiveLimits) -> list[Member]:
    return [
        _member(archive, info, limits=limits) for info in archive.infolist() if _is_content(info)
    ]


def _open(named: NamedFile, *, limits: ArchiveLimits) -> zipfile.ZipFile:
    """The archive, if its central directory is small enough to parse."""
    # zipfile's own reading of the end record (zip64 too), before it parses the directory.
    end_record = zipfile._EndRecData(named.file)  # type: ignore[attr-defined]
    if end_record is None:
        raise zipfile.BadZipFile("no end of central directory record")
    directory_bytes = end_record[zipfile._ECD_SIZE]  # type: ignore[attr-defined]
    if directory_bytes > limits.max_items * CENTRAL_DIRECTORY_BYTES_PER_ITEM:
        raise UnprocessableContent(
            f"The zip archive's directory is too large: at most {limits.max_items} images are "
            "accepted."
        )
    return zipfile.ZipFile(named.file)


def _is_content(info: zipfile.ZipInfo) -> bool:
    path = PurePosixPath(info.filename)
    hidden = not path.name or path.name.startswith(".") or "__MACOSX" in path.parts
    return not (hidden or info.is_dir())


def charge(
    result: Plan, *, named: NamedFile, members: Sequence[Member], limits: ArchiveLimits
) -> None:
    """Refuse before inflating anything: zipfile never yields more than an entry declares."""
    inflated = sum(
        member.info.file_size
        for member in members
        if member.info is not None and member.info.file_size <= limits.max_member_bytes
    )
    size = max(named.file.seek(0, 2), 1)
    name = named.filename or "upload"
    if inflated > size * limits.max_ratio:
        raise ArchiveTooLarge(
            f"The zip archive '{name}' would expand {inflated // size} times its size; "
            f"at most {limits.max_ratio:g} times is accepted."
        )
    result.expanded_bytes += inflated
    if result.expanded_bytes > limits.max_expanded_bytes:
        raise ArchiveTooLarge(
            f"The zip archives of one request may expand to at most {limits.max_expanded_bytes} "
            "bytes."
        )


def _member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, *, limits: ArchiveLimits) -> Member:
    path = info.filename.replace("\\", "/")  # some Windows tools write backslashes
    error: ProblemError | None = None
    if info.flag_bits & 0x1:
        error = UnreadableEntry("The zip entry is encrypted; send it without a password.")
    elif info.file_size > limits.max_member_bytes:
        error = PayloadTooLarge(f"The file is larger than {limits.max_member_bytes} bytes.")
    return Member(
        filename=PurePosixPath(path).name, path=path, archive=archive, info=info, error=error
    )


def read(member: Member, *, max_bytes: int) -> bytes:
    """A member's bytes, at most one past the limit; an unreadable entry raises its problem."""
    if member.error is not None:
        raise member.error
    if member.archive is None or member.info is None:
        assert member.file is not None
        member.file.seek(0)
        return member.file.read(max_bytes + 1)
    try:
        with member.archive.open(member.info) as entry:
            return entry.read(max_bytes + 1)
    except UNREADABLE as exc:
        raise UnreadableEntry(
            "The zip entry is corrupt or uses an unsupported compression method."
        ) from exc
