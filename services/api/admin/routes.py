"""Admin-only routes."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from services.api.admin.feedback_export import entries_of, stream_export
from services.api.auth.credentials_first import CredentialsFirstRoute
from services.api.deps import Admin, SessionDep, StorageDep
from services.api.reports import repository as reports_repository
from services.common.problems import problem_responses

router = APIRouter(prefix="/v1/admin", tags=["admin"], route_class=CredentialsFirstRoute)


@router.get(
    "/feedback-export",
    response_class=StreamingResponse,
    summary="Export confirmed reports as training data (admin)",
    description=(
        "Streams a tar archive: `images/<sha256>.<ext>` for every image with a confirmed report, "
        "then `manifest.jsonl`, one JSON object per image with `file` and `label` (`real` or "
        "`fake`, the confirmed claim). `deepcatcher train --data export.tar` reads it."
    ),
    responses={
        200: {"content": {"application/x-tar": {}}, "description": "The dataset."},
        **problem_responses(401, 403),
    },
)
async def feedback_export(
    admin: Admin, session: SessionDep, storage: StorageDep
) -> StreamingResponse:
    """Stream confirmed reports as a labelled dataset."""
    entries = entries_of(await reports_repository.confirmed(session=session))
    return StreamingResponse(
        stream_export(entries=entries, storage=storage),
        media_type="application/x-tar",
        headers={"Content-Disposition": 'attachment; filename="deepcatcher-feedback.tar"'},
    )
