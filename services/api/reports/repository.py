"""Reports in the database."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.db.pagination import Position
from services.api.reports.models import Report


async def add(*, session: AsyncSession, report: Report) -> Report:
    """Insert a report (the caller commits)."""
    session.add(report)
    await session.flush()
    return report


async def get(*, session: AsyncSession, report_id: uuid.UUID) -> Report | None:
    """A report by id, if any."""
    return await session.get(Report, report_id)


async def get_for_update(*, session: AsyncSession, report_id: uuid.UUID) -> Report | None:
    """A report by id, locked until the transaction ends (PostgreSQL; SQLite ignores it)."""
    query = select(Report).where(Report.id == report_id).with_for_update(of=Report)
    return await session.scalar(query)


async def list_page(
    *,
    session: AsyncSession,
    reporter_id: uuid.UUID | None,
    status: str | None,
    after: Position | None,
    limit: int,
) -> Sequence[Report]:
    """Up to `limit` reports, newest first; one reporter's, or everyone's when None."""
    query = select(Report)
    if reporter_id is not None:
        query = query.where(Report.reporter_id == reporter_id)
    if status:
        query = query.where(Report.status == status)
    if after:
        query = query.where(tuple_(Report.created_at, Report.id) < tuple_(*after))
    query = query.order_by(Report.created_at.desc(), Report.id.desc()).limit(limit)
    return (await session.scalars(query)).unique().all()


async def confirmed(*, session: AsyncSession) -> Sequence[Report]:
    """Every confirmed report, oldest first."""
    query = select(Report).where(Report.status == "confirmed").order_by(Report.resolved_at)
    return (await session.scalars(query)).unique().all()
