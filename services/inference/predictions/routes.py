"""`POST /v1/predict` and `POST /v1/predict/batch`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Query, UploadFile

from services.common.problems import problem_responses
from services.inference.deps import CheckedPipelineDep, SettingsDep
from services.inference.predictions.schemas import BatchPrediction, Prediction
from services.inference.predictions.uploads import check_file_count, predict_uploads, read_upload

router = APIRouter(prefix="/v1", tags=["predictions"])
ExplainQuery = Annotated[
    bool, Query(description="Add a heatmap of where the model's evidence lies.")
]


@router.post(
    "/predict",
    summary="Score one image",
    description=(
        "Send an image as multipart field `file`. The answer holds the verdict, the calibrated "
        "score, each detector's evidence and, with `?explain=true`, a heatmap. While the "
        "self-check at start has not passed, a 503 (`self-check-running`, `self-check-failed`) "
        "instead of a verdict."
    ),
    responses=problem_responses(413, 415, 422, 503),
)
async def predict(
    file: Annotated[UploadFile, File(description="A JPEG, PNG, WebP, AVIF, HEIC or TIFF image.")],
    pipeline: CheckedPipelineDep,
    settings: SettingsDep,
    explain: ExplainQuery = False,
) -> Prediction:
    """Score one image."""
    data = await read_upload(file, max_bytes=settings.max_upload_bytes)
    return await pipeline.predict(data=data, explain=explain)


@router.post(
    "/predict/batch",
    summary="Score several images",
    description=(
        "Send images as multipart field `files`. The answer has one entry per file, in order, "
        "each with a result or a problem; one bad file does not fail the others."
    ),
    responses=problem_responses(413, 422, 503),
)
async def predict_batch(
    files: Annotated[list[UploadFile], File(description="Up to the configured number of images.")],
    pipeline: CheckedPipelineDep,
    settings: SettingsDep,
    explain: ExplainQuery = False,
) -> BatchPrediction:
    """Score several images, merged into the same model batches."""
    check_file_count(files, max_files=settings.max_files_per_request)
    return await predict_uploads(
        files, pipeline=pipeline, max_bytes=settings.max_upload_bytes, explain=explain
    )
