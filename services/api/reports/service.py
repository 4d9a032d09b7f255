"""Reporting wrong verdicts and resolving reports."""

from __future__ import annotations

import uuid

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.auth.principal import Principal
from services.api.db.base import utcnow
from services.api.db.pagination import decode_cursor, encode_cursor
from services.api.known_images import service as known_images
from services.api.predictions import history
from services.api.reports import repository
from services.api.reports.models import Report
from services.api.reports.schemas import ReportCreate, ReportOut, ReportPage, ReportResolve
from services.common.problems import Conflict, NotFound


async def create(
    *, session: AsyncSession, principal: Principal, prediction_id: uuid.UUID, body: ReportCreate
) -> Report:
    """Report one of the caller's own predictions as wrong."""
    prediction = await history.get_owned(
        session=session, owner_id=principal.user.id, prediction_id=prediction_id
    )
    report = Report(
        prediction_id=prediction.id,
        prediction=prediction,
        reporter_id=principal.user.id,
        claimed_label=body.claimed_label,
        comment=body.comment,
        source_url=str(body.source_url) if body.source_url else None,
    )
    await repository.add(session=session, report=report)
    await session.commit()
    return report


async def page(
    *,
    session: AsyncSession,
    principal: Principal,
    status: str | None,
    cursor: str | None,
    limit: int,
) -> ReportPage:
    """The caller's reports, or everyone's for an admin, newest first."""
    rows = await repository.list_page(
        session=session,
        reporter_id=None if principal.is_admin else principal.user.id,
        status=status,
        after=decode_cursor(cursor) if cursor else None,
        limit=limit + 1,
    )
    items, more = rows[:limit], len(rows) > limit
    last = items[-1] if more else None
    return ReportPage(
        items=[ReportOut.model_validate(row) for row in items],
        next_cursor=encode_cursor(created_at=last.created_at, row_id=last.id) if last else None,
    )


async def get_visible(
    *, session: AsyncSession, principal: Principal, report_id: uuid.UUID
) -> Report:
    """A report the caller may see: their own, or any for an admin."""
    report = await repository.get(session=session, report_id=report_id)
    if report is None or not (principal.is_admin or report.reporter_id == principal.user.id):
        raise NotFound("No report with that id.")
    return report


async def resolve(
    *,
    session: AsyncSession,
    admin: Principal,
    report_id: uuid.UUID,
    body: ReportResolve,
    indexing: known_images.Indexing,
) -> Report:
    """Confirm or reject a report with its notes; the known images follow (see
    `follow_report`): confirming adds the image with the public note."""
    # Locked (on PostgreSQL) so that two admins resolving one report take turns.
    report = await repository.get_for_update(session=session, report_id=report_id)
    if report is None:
        raise NotFound("No report with that id.")
    previous = report.status
    report.status = body.status
    report.resolution_note = body.resolution_note
    report.public_note = body.public_note
    report.resolver_id = admin.user.id
    report.resolved_at = utcnow()
    # A refusal raised here leaves the report as it was: nothing is committed.
    changed = await known_images.follow_report(
        session=session, indexing=indexing, report=report, previous=previous, admin=admin
    )
    try:
        await session.commit()
    except IntegrityError as error:  # confirmed at once elsewhere: one live entry per report
        raise Conflict("The report was resolved at the same moment; reload it.") from error
    known_images.reindex(index=indexing.index, entries=changed)
    return report
