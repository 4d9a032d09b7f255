"""Admin imports: a zip of images with a `manifest.csv` (file, label, note), all or nothing."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from functools import partial

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
from services.common.problems import ProblemError, UnprocessableContent

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


async def import_archive(*, importing: Importing, admin: Principal, data: bytes) -> ImportResult:
    """Add every manifest row as a known image, or none when any row is bad."""
    rows, files = await anyio.to_thread.run_sync(
        partial(_manifest_and_files, data=data, settings=importing.settings)
    )
    items = [
        await _checked_row(importing=importing, index=i, row=row, files=files)
        for i, row in enumerate(rows)
    ]
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


def _manifest_and_files(
    *, data: bytes, settings: ApiSettings
) -> tuple[list[dict[str, str]], dict[str, bytes | ProblemError]]:
    """The manifest's rows and the archive's other files (or why one is unreadable) by name."""
    upload = io.BytesIO(data)
    if not archives.is_zip(upload):
        raise UnprocessableContent("Send a zip archive holding the images and a manifest.csv.")
    files = _members(upload, settings=settings)
    manifest = files.pop(MANIFEST, None)
    if manifest is None:
        raise UnprocessableContent("The archive has no manifest.csv.")
    if isinstance(manifest, ProblemError):
        raise manifest
    try:
        reader = csv.DictReader(io.StringIO(manifest.decode("utf-8-sig")))
        rows = list(reader)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise UnprocessableContent("manifest.csv is not UTF-8 CSV.") from exc
    if not {"file", "label"} <= set(reader.fieldnames or []):
        raise UnprocessableContent("manifest.csv needs the columns file, label and note.")
    if not rows:
        raise UnprocessableContent("manifest.csv has no rows.")
    return rows, files


def _members(upload: io.BytesIO, *, settings: ApiSettings) -> dict[str, bytes | ProblemError]:
    """Every entry's bytes, within the bulk jobs' expansion budget."""
    limits = archives.ArchiveLimits(
        max_items=settings.max_import_items + 1,
        max_member_bytes=settings.max_upload_bytes,
        max_expanded_bytes=settings.max_job_expanded_bytes,
        max_ratio=settings.max_zip_ratio,
    )
    plan = archives.plan([archives.NamedFile(filename=None, file=upload)], limits=limits)
    try:
        return {member.filename or "": _read(member, settings=settings) for member in plan.members}
    finally:
        plan.close()


def _read(member: archives.Member, *, settings: ApiSettings) -> bytes | ProblemError:
    try:
        return archives.read(member, max_bytes=settings.max_upload_bytes)
    except ProblemError as error:
        return error


async def _checked_row(
    *, importing: Importing, index: int, row: dict[str, str], files: dict[str, bytes | ProblemError]
) -> _Row:
    """One row, hashed by the inference service, or its error."""
    checked = _Row(
        index=index,
        file=(row.get("file") or "").strip(),
        label=(row.get("label") or "").strip(),
        note=(row.get("note") or "").strip(),
    )
    if checked.label not in LABELS:
        checked.error = UnprocessableContent("label must be 'ai' or 'real'.")
    elif checked.file not in files:
        checked.error = UnprocessableContent("The archive has no file of that name.")
    elif isinstance(found := files[checked.file], ProblemError):
        checked.error = found
    else:
        await _fingerprint(importing=importing, row=checked, data=found)
    return checked


async def _fingerprint(*, importing: Importing, row: _Row, data: bytes) -> None:
    settings = importing.settings
    upload = await check_bytes(
        index=row.index,
        filename=row.file,
        data=data,
        max_bytes=settings.max_upload_bytes,
        max_pixels=settings.max_image_pixels,
    )
    if upload.error is not None or upload.facts is None:
        row.error = upload.error
        return
    try:
        found = await importing.inference.fingerprint(
            data=data, filename=row.file, mime_type=upload.facts.mime_type
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
