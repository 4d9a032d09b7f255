"""Checking images, and the caller's history of checks."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, File, Header, Query, Request, Response, UploadFile, status
from fastapi.responses import JSONResponse

from services.api.db.pagination import INVALID_CURSOR, CursorQuery, aware
from services.api.deps import (
    ClientIp,
    DetectionDep,
    HistoryReader,
    OptionalPrincipal,
    RateLimiterDep,
    SessionDep,
    StorageDep,
)
from services.api.links.requests import json_body_of
from services.api.links.schemas import LinkCheck
from services.api.predictions import history, service
from services.api.predictions.presenters import prediction_out
from services.api.predictions.schemas import PredictionBatch, PredictionOut, PredictionPage
from services.common.contract import Verdict
from services.common.problems import Forbidden, UnprocessableContent, problem_responses
from services.common.validation import IsoDatetime

router = APIRouter(prefix="/v1/predictions", tags=["predictions"])

PREDICT_DESCRIPTION = """
Upload one or more images (multipart field `files`; JPEG, PNG, WebP, AVIF, HEIC or TIFF, the
first page of a multi-page TIFF) and get one result per file, in order. Or send JSON
`{"url": ...}`: an image's address, or a page whose image (its `og:image`, `twitter:image` or
`<link rel=image_src>`) is checked; the server fetches it from public addresses only, within
time and size limits, and the prediction's `source` names the image's address and the page's
other images (see docs/links.md). A file that cannot be checked gets its own `error` entry (a
problem object) and does not fail the others; when no file can be checked (or the link cannot
be fetched) the answer is that problem.

Anonymous callers may predict under a stricter rate limit; nothing is saved. Signed-in callers
(token or API key with the `predict` scope) get the results saved to their history (201).

Image bytes you already checked with the same model version are answered from your stored
result without running the detector again (`reused: true`); an answer never shows that someone
else checked the same bytes. Send an `Idempotency-Key` header to make a retried request return
the first answer instead of creating duplicates.
"""


@router.post(
    "",
    response_model=PredictionBatch,
    summary="Check images",
    description=PREDICT_DESCRIPTION,
    responses={
        201: {"model": PredictionBatch, "description": "Checked and saved to history."},
        **problem_responses(
            400, 401, 403, 413, 415, 422, 429, 503, descriptions={400: service.INVALID_KEY}
        ),
    },
)
async def create_predictions(
    request: Request,
    response: Response,
    principal: OptionalPrincipal,
    detection: DetectionDep,
    limiter: RateLimiterDep,
    ip: ClientIp,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            max_length=255,
            description=(
                "Makes a retried request return the first answer: 1 to 255 printable "
                "characters. An empty or unprintable key answers 400."
            ),
            json_schema_extra={"pattern": "^[ -~]{1,255}$"},
        ),
    ] = None,
    files: Annotated[list[UploadFile] | None, File(description="The images to check.")] = None,
) -> PredictionBatch | JSONResponse:
    """Check every uploaded image, or the image a link leads to."""
    if principal is not None and not principal.allows_predict:
        raise Forbidden("This API key lacks the 'predict' scope.")
    link = await json_body_of(request, model=LinkCheck) if files is None else None
    uploads = files or []
    if len(uploads) > detection.settings.max_files_per_request:
        raise UnprocessableContent(
            f"Send at most {detection.settings.max_files_per_request} files per request."
        )
    bucket, identity = principal.rate_limit_identity if principal else ("anonymous", ip)
    await limiter.hit(bucket=bucket, identity=identity, cost=max(len(uploads), 1))
    answer = await service.submit(
        detection=detection,
        uploads=uploads,
        link=link.url if link else None,
        principal=principal,
        idempotency_key=idempotency_key,
    )
    if answer.replayed or not isinstance(answer.body, PredictionBatch):
        headers = {"Idempotent-Replayed": "true"}
        return JSONResponse(answer.body, status_code=answer.status, headers=headers)
    response.status_code = answer.status
    return answer.body


@router.get(
    "",
    response_model=PredictionPage,
    summary="List my predictions",
    description=(
        "Your history, newest first, a page at a time: pass the answer's `next_cursor` as "
        "`cursor` for the next page. Filter by verdict and by creation time "
        "(`created_from` inclusive, `created_to` exclusive; ISO 8601 with a timezone)."
    ),
    responses=problem_responses(400, 401, 403, 422, descriptions={400: INVALID_CURSOR}),
)
async def list_predictions(
    principal: HistoryReader,
    session: SessionDep,
    verdict: Verdict | None = None,
    created_from: IsoDatetime | None = None,
    created_to: IsoDatetime | None = None,
    cursor: CursorQuery = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> PredictionPage:
    """One page of the caller's history."""
    return await history.page(
        session=session,
        owner_id=principal.user.id,
        verdict=verdict,
        created_from=aware(created_from),
        created_to=aware(created_to),
        cursor=cursor,
        limit=limit,
    )


@router.get(
    "/{prediction_id}",
    response_model=PredictionOut,
    summary="Get a prediction",
    description="One of your predictions with the evidence of every signal.",
    responses=problem_responses(401, 403, 404),
)
async def get_prediction(
    prediction_id: uuid.UUID, principal: HistoryReader, session: SessionDep
) -> PredictionOut:
    """One of the caller's predictions."""
    prediction = await history.get_owned(
        session=session, owner_id=principal.user.id, prediction_id=prediction_id
    )
    return prediction_out(prediction)


@router.delete(
    "/{prediction_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a prediction",
    description="Removes it from your history; the image goes too once nothing references it.",
    responses=problem_responses(401, 403, 404),
)
async def delete_prediction(
    prediction_id: uuid.UUID, principal: HistoryReader, session: SessionDep, storage: StorageDep
) -> None:
    """Delete one of the caller's predictions."""
    await history.delete(
        session=session, storage=storage, owner_id=principal.user.id, prediction_id=prediction_id
    )


@router.get(
    "/{prediction_id}/image",
    response_class=Response,
    summary="Get the checked image",
    description="The image bytes of one of your predictions, with their MIME type.",
    responses={
        200: {"content": {"image/*": {}}, "description": "The image."},
        **problem_responses(401, 403, 404),
    },
)
async def get_prediction_image(
    prediction_id: uuid.UUID, principal: HistoryReader, session: SessionDep, storage: StorageDep
) -> Response:
    """The image behind one of the caller's predictions."""
    data, mime_type = await history.image_bytes(
        session=session, storage=storage, owner_id=principal.user.id, prediction_id=prediction_id
    )
    headers = {"Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff"}
    return Response(data, media_type=mime_type, headers=headers)
