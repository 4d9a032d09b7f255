"""User feedback on predictions, and the admins' queue."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from services.api.auth.credentials_first import CredentialsFirstRoute
from services.api.db.pagination import INVALID_CURSOR, CursorQuery
from services.api.deps import Admin, IndexingDep, Reporter, SessionDep
from services.api.reports import service
from services.api.reports.schemas import (
    ReportCreate,
    ReportOut,
    ReportPage,
    ReportResolve,
    ReportStatus,
)
from services.common.problems import problem_responses

router = APIRouter(tags=["reports"], route_class=CredentialsFirstRoute)


@router.post(
    "/v1/predictions/{prediction_id}/reports",
    status_code=status.HTTP_201_CREATED,
    response_model=ReportOut,
    summary="Report a wrong verdict",
    description=(
        "Tell us one of your predictions is wrong: what the image really is, why, and where it "
        "comes from. Admins review reports; confirmed ones feed the next model's training."
    ),
    responses=problem_responses(401, 403, 404, 413, 422),
)
async def create_report(
    prediction_id: uuid.UUID, body: ReportCreate, principal: Reporter, session: SessionDep
) -> ReportOut:
    """Report one of the caller's predictions."""
    report = await service.create(
        session=session, principal=principal, prediction_id=prediction_id, body=body
    )
    return ReportOut.model_validate(report)


@router.get(
    "/v1/reports",
    response_model=ReportPage,
    summary="List reports",
    description="Your reports, newest first; admins see everyone's. Filter by status.",
    responses=problem_responses(400, 401, 403, 422, descriptions={400: INVALID_CURSOR}),
)
async def list_reports(
    principal: Reporter,
    session: SessionDep,
    status: ReportStatus | None = None,
    cursor: CursorQuery = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> ReportPage:
    """One page of reports the caller may see."""
    return await service.page(
        session=session, principal=principal, status=status, cursor=cursor, limit=limit
    )


@router.get(
    "/v1/reports/{report_id}",
    response_model=ReportOut,
    summary="Get a report",
    description="One of your reports (admins: any report).",
    responses=problem_responses(401, 403, 404),
)
async def get_report(report_id: uuid.UUID, principal: Reporter, session: SessionDep) -> ReportOut:
    """One report the caller may see."""
    report = await service.get_visible(session=session, principal=principal, report_id=report_id)
    return ReportOut.model_validate(report)


@router.patch(
    "/v1/reports/{report_id}",
    response_model=ReportOut,
    summary="Resolve a report (admin)",
    description=(
        "Confirm or reject a report. Admins only. The `resolution_note` is for the reporter "
        "alone; confirming adds the image to the known images with the claimed label (`fake` "
        "as `ai`) and the `public_note`, shown to everyone whose check matches it."
    ),
    responses=problem_responses(
        401,
        403,
        404,
        409,
        413,
        422,
        descriptions={
            409: "A known image near this picture has the other label; the report is unchanged.",
            422: "Not valid, or the picture is too plain to fingerprint; the report is unchanged.",
        },
    ),
)
async def resolve_report(
    report_id: uuid.UUID,
    body: ReportResolve,
    admin: Admin,
    session: SessionDep,
    indexing: IndexingDep,
) -> ReportOut:
    """Confirm or reject a report."""
    report = await service.resolve(
        session=session, admin=admin, report_id=report_id, body=body, indexing=indexing
    )
    return ReportOut.model_validate(report)
