"""Bulk jobs: many images (or zips of them) checked in the background by queue workers."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, UploadFile, status

from services.api.auth.credentials_first import CredentialsFirstRoute
from services.api.db.pagination import INVALID_CURSOR, CursorQuery
from services.api.deps import BulkDep, BulkPredictor, SessionDep, StorageDep
from services.api.jobs import service
from services.api.jobs.archives import NamedFile
from services.api.jobs.schemas import JobCreated, JobLinks, JobOut, JobPage
from services.api.links.requests import json_body_of
from services.common.problems import problem_responses

router = APIRouter(prefix="/v1/jobs", tags=["bulk jobs"], route_class=CredentialsFirstRoute)

CREATE_DESCRIPTION = """
Upload many images at once (multipart `files`; a zip's images count one by one), or send links
as JSON (`{"urls": [...]}`: images' addresses or pages naming their image), and get a job id
straight away (202). Workers check each image in the background (fetching each link as
`POST /v1/predictions` would) and save it to your history; follow progress with
`GET /v1/jobs/{id}`. Files and links that cannot be checked become items with an `error` and do
not stop the others: so do zip entries that are encrypted, corrupt or zips themselves. Every
file, every file inside a zip, and every link counts against your rate limit; zips that
would inflate past the server's expansion budget or ratio are refused whole (413).

With `callback_url`, the finished job is POSTed there as JSON, signed: verify
`X-Deepcatcher-Signature` (`sha256=` + hex HMAC-SHA256 of `<X-Deepcatcher-Timestamp>.<raw body>`
with the `callback_secret` of this answer) and reject old timestamps. Failed deliveries are
retried with backoff.
"""


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=JobCreated,
    summary="Start a bulk job",
    description=CREATE_DESCRIPTION,
    responses=problem_responses(401, 403, 413, 422, 429, 503),
)
async def create_job(
    request: Request,
    principal: BulkPredictor,
    bulk: BulkDep,
    files: Annotated[
        list[UploadFile] | None, File(description="Images, or zip archives of images.")
    ] = None,
    callback_url: Annotated[str | None, Form(max_length=2048)] = None,
) -> JobCreated:
    """Queue every uploaded image, or every link, for checking."""
    if files is None:
        links = await json_body_of(request, model=JobLinks)
        return await service.create_from_links(
            bulk=bulk, owner=principal, urls=links.urls, callback_url=links.callback_url or None
        )
    named = [NamedFile(filename=file.filename, file=file.file) for file in files]
    return await service.create(
        bulk=bulk, owner=principal, files=named, callback_url=callback_url or None
    )


@router.get(
    "",
    response_model=JobPage,
    summary="List my jobs",
    description="Your bulk jobs, newest first, with their progress.",
    responses=problem_responses(400, 401, 403, descriptions={400: INVALID_CURSOR}),
)
async def list_jobs(
    principal: BulkPredictor,
    session: SessionDep,
    cursor: CursorQuery = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> JobPage:
    """One page of the caller's jobs."""
    return await service.page(
        session=session, owner_id=principal.user.id, cursor=cursor, limit=limit
    )


@router.get(
    "/{job_id}",
    response_model=JobOut,
    summary="Get a job's progress",
    description="Counts, each item's verdict or error, and the webhook's delivery state.",
    responses=problem_responses(401, 403, 404),
)
async def get_job(job_id: uuid.UUID, principal: BulkPredictor, session: SessionDep) -> JobOut:
    """One of the caller's jobs."""
    job = await service.get_owned(session=session, owner_id=principal.user.id, job_id=job_id)
    return await service.job_out(session=session, job=job)


@router.delete(
    "/{job_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a job",
    description="Forgets the job; the predictions it made stay in your history.",
    responses=problem_responses(401, 403, 404),
)
async def delete_job(
    job_id: uuid.UUID, principal: BulkPredictor, session: SessionDep, storage: StorageDep
) -> None:
    """Delete one of the caller's jobs."""
    await service.delete(
        session=session, storage=storage, owner_id=principal.user.id, job_id=job_id
    )
