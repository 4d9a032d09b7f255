"""Known images: matching checks against them, adding them from reports, listing, removing."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.auth.principal import Principal
from services.api.clients.inference import InferenceClient
from services.api.db.base import utcnow
from services.api.db.pagination import decode_cursor, encode_cursor
from services.api.images.storage import ImageStorage
from services.api.known_images import repository
from services.api.known_images.index import (
    MATCH_DISTANCE,
    FingerprintIndex,
    as_codes,
    codes_of,
    distances,
    hamming,
)
from services.api.known_images.matching import (
    QUALITY_FLOOR,
    query_hashes,
    stored_codes,
    stored_hashes,
    too_plain,
    with_matches,
    without_matches,
)
from services.api.known_images.models import KnownImage
from services.api.known_images.schemas import (
    HistoryMatch,
    KnownImageOut,
    KnownImagePage,
    KnownMatch,
)
from services.api.predictions import repository as predictions_repository
from services.api.reports.models import Report
from services.common.contract import Fingerprints, InferenceResult
from services.common.problems import Conflict, NotFound, ProblemError, UnprocessableContent

HISTORY_MATCH_DISTANCE = 31
HISTORY_SCANNED = 5000
LABEL_OF_CLAIM = {"fake": "ai", "real": "real"}


async def matched(
    *,
    session: AsyncSession,
    index: FingerprintIndex,
    result: InferenceResult,
    owner_id: uuid.UUID | None,
    admin: bool,
) -> InferenceResult:
    """The detector's answer with its `matches` signal under the rule in `matching.py`."""
    fingerprints = result.fingerprints
    if fingerprints is None:
        return result
    known = await known_matches(
        session=session, index=index, fingerprints=fingerprints, admin=admin
    )
    history = []
    if owner_id is not None:
        history = await history_matches(
            session=session, owner_id=owner_id, fingerprints=fingerprints
        )
    return with_matches(result=without_matches(result), known=known, history=history)


async def known_matches(
    *, session: AsyncSession, index: FingerprintIndex, fingerprints: Fingerprints, admin: bool
) -> list[KnownMatch]:
    """The live known images the check is a near-duplicate of, nearest first."""
    distances = index.nearest(query_hashes(fingerprints))
    if not distances:
        return []
    entries = await repository.live_by_ids(session=session, ids=list(distances))
    matches = [_match_of(entry, distance=distances[entry.id], admin=admin) for entry in entries]
    return sorted(matches, key=lambda match: (match.distance, match.label != "ai"))


def _match_of(entry: KnownImage, *, distance: int, admin: bool) -> KnownMatch:
    return KnownMatch(
        label=entry.label,
        note=entry.note,
        known_since=entry.created_at,
        distance=distance,
        entry_id=entry.id if admin else None,
        source=entry.source if admin else None,
    )


async def history_matches(
    *, session: AsyncSession, owner_id: uuid.UUID, fingerprints: Fingerprints
) -> list[HistoryMatch]:
    """The owner's own earlier checks of a near-duplicate picture (never anyone else's)."""
    queries = query_hashes(fingerprints)
    if not queries:
        return []
    rows = await predictions_repository.recent_fingerprints(
        session=session, owner_id=owner_id, limit=HISTORY_SCANNED
    )
    found = []
    for prediction_id, filename, verdict, created_at, pdq in rows:  # pdq is never NULL here
        distance = min(hamming(pdq or "0" * 64, query) for query in queries)
        if distance <= HISTORY_MATCH_DISTANCE:
            found.append(
                HistoryMatch(
                    prediction_id=prediction_id,
                    filename=filename,
                    verdict=verdict,
                    checked_at=created_at,
                    distance=distance,
                )
            )
    return sorted(found, key=lambda match: match.distance)[:5]


@dataclass(frozen=True, slots=True)
class Indexing:
    """What making a known image of a stored upload needs: its bytes and the hasher."""

    index: FingerprintIndex
    storage: ImageStorage
    inference: InferenceClient


class TooPlain(UnprocessableContent):
    slug = "too-plain-to-fingerprint"


class LabelConflict(Conflict):
    slug = "known-image-conflict"


async def screened(
    *, session: AsyncSession, index: FingerprintIndex, fingerprints: Fingerprints, label: str
) -> KnownImage | None:
    """The live entry already knowing this picture with this label, if any; raises when the
    picture is too plain to fingerprint or a live near-duplicate has the other label."""
    if too_plain(fingerprints):
        raise TooPlain(
            f"This picture is too plain to fingerprint: its PDQ quality is "
            f"{fingerprints.pdq_quality}, under the floor of {QUALITY_FLOOR}."
        )
    distances = index.nearest(query_hashes(fingerprints))
    found = await repository.live_by_ids(session=session, ids=list(distances))
    entries = sorted(found, key=lambda entry: distances[entry.id])
    conflicting = next((entry for entry in entries if entry.label != label), None)
    if conflicting is not None:
        raise LabelConflict(
            f"This picture is a near-duplicate of known image {conflicting.id}, labelled "
            f"'{conflicting.label}'; remove that entry first if its label is wrong.",
            extensions={
                "conflicting_entry": {"id": str(conflicting.id), "label": conflicting.label}
            },
        )
    return entries[0] if entries else None


async def follow_report(
    *, session: AsyncSession, indexing: Indexing, report: Report, previous: str, admin: Principal
) -> list[KnownImage]:
    """The entries a report's move from its `previous` status adds or removes (the caller
    commits, then `reindex`es); raises when its picture cannot become known."""
    if report.status == "confirmed" and previous != "confirmed":
        entry = await add_from_report(
            session=session, indexing=indexing, report=report, admin=admin
        )
        return [entry] if entry else []
    if report.status == "rejected" and previous == "confirmed":
        return await retract_report(session=session, report=report)
    return []


def reindex(*, index: FingerprintIndex, entries: list[KnownImage]) -> None:
    """Apply committed additions and removals to this replica's index now."""
    for entry in entries:
        if entry.removed_at is None:
            index.add(entry_id=entry.id, codes=entry.pdq_codes)
        else:
            index.remove(entry.id)


async def retract_report(*, session: AsyncSession, report: Report) -> list[KnownImage]:
    """Remove the entry the report's confirmation added (the caller commits)."""
    entries = await repository.live_of_report(session=session, report_id=report.id)
    for entry in entries:
        entry.removed_at = entry.changed_at = utcnow()
    return list(entries)


async def add_from_report(
    *, session: AsyncSession, indexing: Indexing, report: Report, admin: Principal
) -> KnownImage | None:
    """The confirmed report's image as a known image (the caller commits), if it is stored and
    no live entry knows it yet; see `screened` for the refusals."""
    image = report.prediction.image
    data = await indexing.storage.get(key=image.storage_key)
    if data is None:
        return None
    fingerprints = await indexing.inference.fingerprint(
        data=data, filename=report.prediction.filename, mime_type=image.mime_type
    )
    label = LABEL_OF_CLAIM[report.claimed_label]
    known = await screened(
        session=session, index=indexing.index, fingerprints=fingerprints, label=label
    )
    if known is not None:
        return None
    entry = KnownImage(
        label=label,
        source="report",
        note=report.public_note or "",
        pdq=fingerprints.pdq,
        pdq_codes=stored_codes(fingerprints),
        report_id=report.id,
        created_by_id=admin.user.id,
    )
    session.add(entry)
    return entry


@dataclass(slots=True)
class Batch:
    """The pictures one import has accepted so far, which its later rows must not contradict."""

    codes: bytearray = field(default_factory=bytearray)
    owners: list[int] = field(default_factory=list)  # each code's row in `rows`
    rows: list[tuple[str, str]] = field(default_factory=list)  # file name, label

    def refusal(self, *, fingerprints: Fingerprints, label: str) -> ProblemError | None:
        """Why an earlier row refuses this picture, if one does."""
        near = [self.rows[row] for row in self._near(query_hashes(fingerprints))]
        for file, other in near:
            if other != label:
                return LabelConflict(
                    f"This picture is a near-duplicate of {file}, labelled '{other}', in this "
                    "import.",
                    extensions={"conflicting_row": {"file": file, "label": other}},
                )
        if near:
            return UnprocessableContent(f"The same picture as {near[0][0]} in this import.")
        return None

    def note(self, *, fingerprints: Fingerprints, label: str, file: str) -> None:
        """Remember an accepted row."""
        hashes = stored_hashes(fingerprints)
        self.codes += codes_of(hashes)
        self.owners += [len(self.rows)] * len(hashes)
        self.rows.append((file, label))

    def _near(self, hashes: list[str]) -> list[int]:
        # An import holds a thousand rows at most: comparing with every code beats an index,
        # whose empty bucket tables alone take 44 MB.
        if not hashes or not self.codes:
            return []
        nearest = distances(as_codes(self.codes), queries=as_codes(codes_of(hashes)))
        close = np.flatnonzero(nearest <= MATCH_DISTANCE).tolist()
        return list(dict.fromkeys(self.owners[number] for number in close))


async def import_refusal(
    *,
    session: AsyncSession,
    index: FingerprintIndex,
    batch: Batch,
    fingerprints: Fingerprints,
    label: str,
    file: str,
) -> ProblemError | None:
    """Why an import row's picture cannot become a known image with this label, if it cannot:
    too plain, known already, or a near-duplicate of a known image or an earlier row."""
    try:
        known = await screened(session=session, index=index, fingerprints=fingerprints, label=label)
    except ProblemError as error:
        return error
    if known is not None:
        return UnprocessableContent(
            f"This picture is already a known image ({known.id}, labelled '{known.label}')."
        )
    refusal = batch.refusal(fingerprints=fingerprints, label=label)
    if refusal is None:
        batch.note(fingerprints=fingerprints, label=label, file=file)
    return refusal


async def page(
    *, session: AsyncSession, label: str | None, text: str | None, cursor: str | None, limit: int
) -> KnownImagePage:
    """Live known images, newest first, filtered by label and text."""
    rows = await repository.list_page(
        session=session,
        label=label,
        text=text,
        after=decode_cursor(cursor) if cursor else None,
        limit=limit + 1,
    )
    items, more = rows[:limit], len(rows) > limit
    last = items[-1] if more else None
    return KnownImagePage(
        items=[KnownImageOut.model_validate(row) for row in items],
        next_cursor=encode_cursor(created_at=last.created_at, row_id=last.id) if last else None,
    )


async def remove(*, session: AsyncSession, index: FingerprintIndex, entry_id: uuid.UUID) -> None:
    """Remove a known image; every replica drops it at its next refresh, this one now."""
    entry = await repository.get_live(session=session, entry_id=entry_id)
    if entry is None:
        raise NotFound("No known image with that id.")
    entry.removed_at = entry.changed_at = utcnow()
    await session.commit()
    index.remove(entry_id)
