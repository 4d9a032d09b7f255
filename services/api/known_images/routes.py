"""Admin routes for the known-images index: list and search, import, remove."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, File, Query, Response, UploadFile, status

from services.api.deps import Admin, InferenceDep, KnownIndexDep, SessionDep, SettingsDep
from services.api.known_images import service
from services.api.known_images.imports import Importing, import_archive
from services.api.known_images.schemas import ImportResult, KnownImagePage, KnownLabel
from services.common.problems import PayloadTooLarge, problem_responses

router = APIRouter(prefix="/v1/admin/known-images", tags=["known images"])


@router.get(
    "",
    response_model=KnownImagePage,
    summary="List known images (admin)",
    description="Known images, newest first; filter by label and by text in the note or file name.",
    responses=problem_responses(400, 401, 403, 422),
)
async def list_known_images(
    admin: Admin,
    session: SessionDep,
    label: KnownLabel | None = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> KnownImagePage:
    """One page of known images."""
    return await service.page(session=session, label=label, text=q, cursor=cursor, limit=limit)


@router.post(
    "/import",
    status_code=status.HTTP_201_CREATED,
    response_model=ImportResult,
    summary="Import known images (admin)",
    description=(
        "Send a zip as multipart field `archive`: the images and, at its root, a `manifest.csv` "
        "with the columns `file` (the image's full path in the zip, such as `ai/x.png`), "
        "`label` (`ai` or `real`) and `note` (shown to everyone whose check matches). Only "
        "listed images are read. A zip with a path twice or a `manifest.csv` below its root, "
        "or a manifest over `DEEPCATCHER_API_MAX_IMPORT_ITEMS` rows, is a 422 before anything is "
        "hashed. Every row is checked first; if any is bad (a missing or corrupt file, a wrong "
        "label, a NUL character, a file listed twice, a picture twice or already known) the "
        "answer is 422 with one error per row in `items` and nothing is imported."
    ),
    responses=problem_responses(401, 403, 413, 422, 503),
)
async def import_known_images(
    archive: Annotated[UploadFile, File(description="A zip with images and manifest.csv.")],
    admin: Admin,
    session: SessionDep,
    index: KnownIndexDep,
    inference: InferenceDep,
    settings: SettingsDep,
) -> ImportResult:
    """Import many known images at once."""
    limit = settings.max_request_bytes
    if archive.size is not None and archive.size > limit:
        raise PayloadTooLarge(f"The archive is larger than {limit} bytes.")
    importing = Importing(session=session, index=index, inference=inference, settings=settings)
    return await import_archive(importing=importing, admin=admin, upload=archive.file)


@router.delete(
    "/{entry_id:uuid}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove a known image (admin)",
    description="Later checks no longer match it; every API replica drops it within seconds.",
    responses=problem_responses(401, 403, 404),
)
async def remove_known_image(
    entry_id: uuid.UUID, admin: Admin, session: SessionDep, index: KnownIndexDep
) -> Response:
    """Remove one known image."""
    await service.remove(session=session, index=index, entry_id=entry_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
