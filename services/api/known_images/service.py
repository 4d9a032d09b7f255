"""Known images: matching checks against them, adding them from reports, listing, removing."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from services.api.auth.principal import Principal
from services.api.clients.inference import InferenceClient
from services.api.db.base import utcnow
from services.api.db.pagination import decode_cursor, encode_cursor
from services.api.images.storage import ImageStorage
from services.api.known_images import repository
from services.api.known_images.index import FingerprintIndex, hamming
from services.api.known_images.matching import (
    query_hashes,
    stored_codes,
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
from services.common.problems import NotFound

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
    rows = await predictions_repository.recent_fingerprints(
        session=session, owner_id=owner_id, limit=HISTORY_SCANNED
    )
    found = []
    for prediction_id, filename, verdict, created_at, pdq in rows:  # pdq is never NULL here
        distance = min(hamming(pdq or "0" * 64, query) for query in query_hashes(fingerprints))
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


async def add_from_report(
    *, session: AsyncSession, indexing: Indexing, report: Report, admin: Principal
) -> KnownImage | None:
    """The confirmed report's image as a known image (the caller commits), if it is stored."""
    image = report.prediction.image
    data = await indexing.storage.get(key=image.storage_key)
    if data is None:
        return None
    fingerprints = await indexing.inference.fingerprint(
        data=data, filename=report.prediction.filename, mime_type=image.mime_type
    )
    entry = KnownImage(
        label=LABEL_OF_CLAIM[report.claimed_label],
        source="report",
        note=report.public_note or "",
        pdq=fingerprints.pdq,
        pdq_codes=stored_codes(fingerprints),
        report_id=report.id,
        created_by_id=admin.user.id,
    )
    session.add(entry)
    return entry


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
