"""Admin imports: a zip of images with a `manifest.csv` (file, label, note), all or nothing."""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
from dataclasses import dataclass, field
from functools import partial
from typing import BinaryIO

import anyio
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.auth.principal import Principal
from services.api.clients.inference import InferenceClient
from services.api.config import ApiSettings
from services.api.jobs import archives
from services.api.known_images import repository, service
from services.api.known_images.index import FingerprintIndex
from services.api.known_images.matching import stored_codes
from services.api.known_images.models import KnownImage
from services.api.known_images.schemas import ImportItem, ImportResult, KnownImageOut
from services.api.predictions.uploads import check_bytes
from services.common.problems import PayloadTooLarge, ProblemError, UnprocessableContent
from services.common.validation import NUL, NUL_MESSAGE

MANIFEST = "manifest.csv"
LABELS = {"ai", "real"}


class ImportRefused(UnprocessableContent):
    slug = "import-refused"


@dataclass(frozen=True, slots=True)
class Importing:
    """What an import needs."""

    session: AsyncSession
    index: FingerprintIndex
    inference: InferenceClient
    settings: ApiSettings
    batch: service.Batch = field(default_factory=service.Batch)


async def import_archive(
    *, importing: Importing, admin: Principal, upload: BinaryIO
) -> ImportResult:
    """Add every manifest row as a known image, or none when any row is bad."""
    archive = await anyio.to_thread.run_sync(
        partial(_opened, upload=upload, settings=importing.settings)
    )
    try:
        items = [
            await _checked_row(importing=importing, index=i, row=row, archive=archive)
            for i, row in enumerate(archive.rows)
        ]
    finally:
        archive.plan.close()
    await _refuse_duplicates(importing=importing, items=items)
    if any(item.error is not None for item in items):
        raise ImportRefused(
            "Some rows of the manifest are bad; nothing was imported.",
            extensions={
                "items": [item.out().model_dump(mode="json", exclude_none=True) for item in items]
            },
        )
    for item in items:
        item.entry = _entry_of(item, admin=admin)
        importing.session.add(item.entry)
    await importing.session.commit()
    importing.index.add_many({item.entry.id: item.entry.pdq_codes for item in items if item.entry})
    return ImportResult(imported=len(items), items=[item.out() for item in items])


@dataclass(slots=True)
class _Row:
    index: int
    file: str
    label: str
    note: str
    pdq: str = ""
    pdq_codes: bytes = b""
    error: ProblemError | None = None
    entry: KnownImage | None = None

    def out(self) -> ImportItem:
        return ImportItem(
            index=self.index,
            file=self.file,
            status="error" if self.error else "ok",
            entry=KnownImageOut.model_validate(self.entry) if self.entry else None,
            error=self.error.to_problem() if self.error else None,
        )


@dataclass(slots=True)
class _Archive:
    """An open import: the manifest's rows, and the members they may name by full path."""

    plan: archives.Plan
    members: dict[str, archives.Member]
    rows: list[dict[str, str]]
    first_row: dict[str, int] = field(default_factory=dict)
    first_row_of_bytes: dict[bytes, int] = field(default_factory=dict)
    paths_by_name: dict[str, set[str]] = field(default_factory=dict)


def _opened(*, upload: BinaryIO, settings: ApiSettings) -> _Archive:
    """The manifest's rows and the archive's members; only the manifest is inflated yet."""
    if not archives.is_zip(upload):
        raise UnprocessableContent("Send a zip archive holding the images and a manifest.csv.")
    named, limits = archives.NamedFile(filename=None, file=upload), _limits(settings)
    plan = archives.entries(named, limits=limits)
    try:
        members = _by_path(plan.members)
        rows = _manifest_rows(members.pop(MANIFEST, None), settings=settings)
        listed = {_path(row.get("file")) for row in rows}
        # Only listed members are ever inflated, so only they count against the zip-bomb budget.
        read = [member for path, member in members.items() if path in listed]
        archives.charge(plan, named=named, members=read, limits=limits)
    except ProblemError:
        plan.close()
        raise
    return _Archive(plan=plan, members=members, rows=rows, paths_by_name=_by_name(members))


def _limits(settings: ApiSettings) -> archives.ArchiveLimits:
    """The bulk jobs' zip limits; the manifest is one entry more than the rows."""
    return archives.ArchiveLimits(
        max_items=settings.max_import_items + 1,
        max_member_bytes=settings.max_upload_bytes,
        max_expanded_bytes=settings.max_job_expanded_bytes,
        max_ratio=settings.max_zip_ratio,
    )


def _by_path(members: list[archives.Member]) -> dict[str, archives.Member]:
    """Members by full path; a path twice, or a manifest.csv below the root, is ambiguous."""
    by_path: dict[str, archives.Member] = {}
    twice: set[str] = set()
    for member in members:
        path = member.path or ""
        if path in by_path:
            twice.add(path)
        by_path[path] = member
    if twice:
        raise UnprocessableContent(f"The archive holds more than one file named {_names(twice)}.")
    nested = {path for path in by_path if path != MANIFEST and _base(path).lower() == MANIFEST}
    if nested:
        raise UnprocessableContent(
            f"manifest.csv must be at the archive's root, not at {_names(nested)}."
        )
    return by_path


def _by_name(members: dict[str, archives.Member]) -> dict[str, set[str]]:
    """Full paths by their last part, to tell an admin which path a bare name meant."""
    by_name: dict[str, set[str]] = {}
    for path in members:
        by_name.setdefault(_base(path), set()).add(path)
    return by_name


def _manifest_rows(
    member: archives.Member | None, *, settings: ApiSettings
) -> list[dict[str, str]]:
    """The root manifest's rows, refused whole past the cap before anything is hashed."""
    if member is None:
        raise UnprocessableContent("The archive has no manifest.csv at its root.")
    limit, cap = settings.max_upload_bytes, settings.max_import_items
    manifest = archives.read(member, max_bytes=limit)
    if len(manifest) > limit:
        raise PayloadTooLarge(f"manifest.csv is larger than {limit} bytes.")
    rows = _parsed(manifest, cap=cap)
    if len(rows) > cap:
        raise UnprocessableContent(
            f"manifest.csv has more than {cap} rows; an import holds at most {cap} rows."
        )
    return rows


def _parsed(manifest: bytes, *, cap: int) -> list[dict[str, str]]:
    """Up to one row past the cap, as dictionaries by column."""
    try:
        reader = csv.DictReader(io.StringIO(manifest.decode("utf-8-sig")))
        rows = list(itertools.islice(reader, cap + 1))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise UnprocessableContent("manifest.csv is not UTF-8 CSV.") from exc
    if not {"file", "label"} <= set(reader.fieldnames or []):
        raise UnprocessableContent("manifest.csv needs the columns file, label and note.")
    if not rows:
        raise UnprocessableContent("manifest.csv has no rows.")
    return rows


def _path(value: str | None) -> str:
    return (value or "").strip().replace("\\", "/")


def _base(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def _names(paths: set[str]) -> str:
    """A few of the paths, for a message that stays short however many there are."""
    shown = ", ".join(sorted(paths)[:5])
    return shown if len(paths) <= 5 else f"{shown} and {len(paths) - 5} more"


async def _checked_row(
    *, importing: Importing, index: int, row: dict[str, str], archive: _Archive
) -> _Row:
    """One row, its file read and hashed by the inference service, or its error."""
    checked = _Row(
        index=index,
        file=_path(row.get("file")),
        label=(row.get("label") or "").strip(),
        note=(row.get("note") or "").strip(),
    )
    checked.error = _row_error(checked, archive=archive)
    if checked.error is None:
        await _read_and_fingerprint(importing=importing, row=checked, archive=archive)
    return checked


def _row_error(row: _Row, *, archive: _Archive) -> ProblemError | None:
    """Why a row cannot be imported, found before its file is read; None if it may be."""
    first = archive.first_row.setdefault(row.file, row.index)
    with_nul = [name for name in ("file", "label", "note") if NUL in getattr(row, name)]
    if with_nul:
        return UnprocessableContent(f"{with_nul[0]}: {NUL_MESSAGE}")
    if first != row.index:
        return UnprocessableContent(f"The file is listed twice: row {first} lists it already.")
    if row.label not in LABELS:
        return UnprocessableContent("label must be 'ai' or 'real'.")
    if row.file not in archive.members:
        return UnprocessableContent(_missing(row.file, archive=archive))
    return None


def _missing(file: str, *, archive: _Archive) -> str:
    """The archive has no such path; name members whose path ends the same, if any."""
    alike = archive.paths_by_name.get(_base(file))
    if not alike:
        return "The archive has no file of that name."
    return f"The archive has no file of that name; rows name files by full path: {_names(alike)}."


async def _read_and_fingerprint(*, importing: Importing, row: _Row, archive: _Archive) -> None:
    """Inflate the row's file and hash it, unless an earlier row has the very same bytes."""
    data = await _read(archive.members[row.file], settings=importing.settings)
    if isinstance(data, ProblemError):
        row.error = data
        return
    first = archive.first_row_of_bytes.setdefault(hashlib.sha256(data).digest(), row.index)
    if first != row.index:
        row.error = UnprocessableContent(f"The same file as row {first}, under another name.")
        return
    await _fingerprint(importing=importing, row=row, data=data)


async def _read(member: archives.Member, *, settings: ApiSettings) -> bytes | ProblemError:
    """One member inflated, cut off one byte past the upload limit, or why it cannot be."""
    try:
        return await anyio.to_thread.run_sync(
            partial(archives.read, member, max_bytes=settings.max_upload_bytes)
        )
    except ProblemError as error:
        return error


async def _fingerprint(*, importing: Importing, row: _Row, data: bytes) -> None:
    settings, name = importing.settings, _base(row.file)
    upload = await check_bytes(
        index=row.index,
        filename=name,
        data=data,
        max_bytes=settings.max_upload_bytes,
        max_pixels=settings.max_image_pixels,
    )
    if upload.error is not None or upload.facts is None:
        row.error = upload.error
        return
    try:
        found = await importing.inference.fingerprint(
            data=data, filename=name, mime_type=upload.facts.mime_type
        )
    except ProblemError as error:
        if error.status >= 500:
            raise  # the detector is down: nothing is imported, the admin retries
        row.error = error
        return
    row.error = await service.import_refusal(
        session=importing.session,
        index=importing.index,
        batch=importing.batch,
        fingerprints=found,
        label=row.label,
        file=row.file,
    )
    row.pdq, row.pdq_codes = found.pdq, stored_codes(found)


async def _refuse_duplicates(*, importing: Importing, items: list[_Row]) -> None:
    """A picture twice in the import, or already known, is refused."""
    hashed = [item for item in items if item.error is None]
    known = await repository.live_with_pdq(
        session=importing.session, hashes=[item.pdq for item in hashed]
    )
    seen: dict[str, str] = {}
    for item in hashed:
        if item.pdq in known:
            item.error = UnprocessableContent("This picture is already a known image.")
        elif item.pdq in seen:
            item.error = UnprocessableContent(
                f"The same picture as {seen[item.pdq]} in this import."
            )
        seen.setdefault(item.pdq, item.file)


def _entry_of(item: _Row, *, admin: Principal) -> KnownImage:
    return KnownImage(
        label=item.label,
        source="import",
        note=item.note[:2000],
        pdq=item.pdq,
        pdq_codes=item.pdq_codes,
        filename=item.file[:255],
        created_by_id=admin.user.id,
    )
