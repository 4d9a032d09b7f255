"""Uploaded files: read within the per-file limit, and batches answered file by file."""

from __future__ import annotations

import asyncio
import logging

from fastapi import UploadFile

from services.common.problems import PayloadTooLarge, ProblemError, UnprocessableContent
from services.common.uploads import check_filename
from services.inference.predictions.schemas import BatchItem, BatchPrediction
from services.inference.predictions.service import Pipeline

logger = logging.getLogger("deepcatcher.inference.predictions")


class TooManyFiles(UnprocessableContent):
    slug = "too-many-files"


async def read_upload(file: UploadFile, *, max_bytes: int) -> bytes:
    """The file's bytes after checking its name, or 413 when it is larger than `max_bytes`."""
    check_filename(file.filename)
    data = await file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise PayloadTooLarge(f"The file is larger than {max_bytes} bytes.")
    return data


def check_file_count(files: list[UploadFile], *, max_files: int) -> None:
    """Refuse a batch with more files than allowed."""
    if len(files) > max_files:
        raise TooManyFiles(f"At most {max_files} files may be sent at once; got {len(files)}.")


async def predict_uploads(
    files: list[UploadFile], *, pipeline: Pipeline, max_bytes: int, explain: bool
) -> BatchPrediction:
    """One result or one problem per file, in order; the files share model batches."""
    answers = (
        _predict_upload(file, pipeline=pipeline, max_bytes=max_bytes, explain=explain)
        for file in files
    )
    items = await asyncio.gather(*answers)
    return BatchPrediction(results=list(items))


async def _predict_upload(
    file: UploadFile, *, pipeline: Pipeline, max_bytes: int, explain: bool
) -> BatchItem:
    filename = (file.filename or "upload")[:255]
    try:
        data = await read_upload(file, max_bytes=max_bytes)
        result = await pipeline.predict(data=data, explain=explain)
        return BatchItem(filename=filename, result=result)
    except ProblemError as error:
        return BatchItem(filename=filename, problem=error.to_problem())
    except Exception:  # one file's unexpected failure must not fail the whole batch
        logger.exception("prediction failed", extra={"upload": filename})
        failure = ProblemError("An unexpected error occurred; it has been logged.")
        return BatchItem(filename=filename, problem=failure.to_problem())
