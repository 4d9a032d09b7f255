"""`POST /v1/fingerprints`: an image's perceptual hashes, without the detectors."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, UploadFile

from services.common.contract import Fingerprints
from services.common.problems import problem_responses
from services.inference.deps import PipelineDep, SettingsDep
from services.inference.predictions.uploads import read_upload

router = APIRouter(prefix="/v1", tags=["fingerprints"])


@router.post(
    "/fingerprints",
    summary="Fingerprint one image",
    description=(
        "Send an image as multipart field `file`. The answer holds its PDQ hashes as "
        "`POST /v1/predict` returns them, plus `pdq_centre` and `pdq_sides`; no model runs. "
        "The API uses it for images that become known."
    ),
    responses=problem_responses(413, 415, 422),
)
async def fingerprint(
    file: Annotated[UploadFile, File(description="A JPEG, PNG, WebP, AVIF or HEIC image.")],
    pipeline: PipelineDep,
    settings: SettingsDep,
) -> Fingerprints:
    """The image's perceptual hashes."""
    data = await read_upload(file, max_bytes=settings.max_upload_bytes)
    return await pipeline.fingerprint(data=data)
