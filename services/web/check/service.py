"""Checking uploads through the API and turning each file's answer into a result card."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from deepcatcher_client.models import Prediction, PredictionBatch, Problem
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from services.web.clients.api import ApiClient, Upload
from services.web.clients.errors import ApiProblem, ServiceDown
from services.web.predictions.presenters import ResultView, picture_url, result_view
from services.web.predictions.thumbnails import data_uri, rendition

FRIENDLY_TITLES = {
    413: "File too large",
    415: "Not an image we can check",
    422: "This file can't be checked",
    429: "Too many checks",
    503: "The detector is unavailable",
}
CANNOT_CHECK = "This file can't be checked"


@dataclass(frozen=True, slots=True)
class FailedFile:
    """A file that could not be checked, and why, in words."""

    filename: str
    title: str
    message: str
    failed: ClassVar[bool] = True


Card = ResultView | FailedFile


async def read_uploads(parts: list[UploadFile | str]) -> list[Upload]:
    """The chosen files' bytes, in order; text parts (a form with no file chosen) are skipped."""
    return [
        Upload(
            filename=part.filename or "upload",
            data=await part.read(),
            content_type=part.content_type or "application/octet-stream",
        )
        for part in parts
        if isinstance(part, UploadFile)
    ]


async def check(
    *, api: ApiClient, token: str | None, uploads: list[Upload], max_pixels: int
) -> list[Card]:
    """One card per upload, in order: a result, or the reason that file failed."""
    try:
        batch = await api.predict(token=token, uploads=uploads)
    except ApiProblem as error:
        return _failed_files(uploads, error=error)
    except ServiceDown as error:
        return [_failed(upload.filename, status=503, detail=error.detail) for upload in uploads]
    return [
        await _card(batch, index=i, upload=u, max_pixels=max_pixels) for i, u in enumerate(uploads)
    ]


async def _card(batch: PredictionBatch, *, index: int, upload: Upload, max_pixels: int) -> Card:
    item = batch.items[index]
    if item.prediction is None:
        problem = item.error or Problem(title="Error", status=422)
        return _failed(item.filename, status=problem.status, detail=problem.detail)
    picture = await _picture(item.prediction, upload=upload, max_pixels=max_pixels)
    return result_view(item.prediction, picture=picture, saved=batch.saved)


async def _picture(prediction: Prediction, *, upload: Upload, max_pixels: int) -> str | None:
    """A saved image is served by the web; an anonymous one, kept nowhere, travels inline."""
    if prediction.id is not None:
        return picture_url(prediction.id, width=320)
    jpeg = await run_in_threadpool(rendition, upload.data, max_px=320, max_pixels=max_pixels)
    return data_uri(jpeg)


async def check_link(*, api: ApiClient, token: str | None, url: str) -> Card:
    """The card for the image a link leads to; unsaved, it shows the image by its address."""
    try:
        batch = await api.check_url(token=token, url=url)
    except ApiProblem as error:
        return _failed(url, status=error.status, detail=error.detail)
    except ServiceDown as error:
        return _failed(url, status=503, detail=error.detail)
    item = batch.items[0]
    if item.prediction is None:
        problem = item.error or Problem(title="Error", status=422)
        return _failed(url, status=problem.status, detail=problem.detail)
    prediction = item.prediction
    source = prediction.source
    saved_picture = picture_url(prediction.id, width=320) if prediction.id else None
    picture = saved_picture or (source.image_url if source else None)
    return result_view(prediction, picture=picture, saved=batch.saved)


def _failed_files(uploads: list[Upload], *, error: ApiProblem) -> list[Card]:
    """Per-file failures from the API's `items`, or the one problem for every file."""
    per_file = {item["index"]: item for item in error.extensions.get("items", [])}
    if not per_file:
        return [_failed(u.filename, status=error.status, detail=error.detail) for u in uploads]
    return [
        _failed(
            upload.filename,
            status=per_file.get(index, {}).get("error", {}).get("status", error.status),
            detail=per_file.get(index, {}).get("error", {}).get("detail", error.detail),
        )
        for index, upload in enumerate(uploads)
    ]


def friendly_title(status: int) -> str:
    """What a refused file's status means, in a few words."""
    return FRIENDLY_TITLES.get(status, CANNOT_CHECK)


def _failed(filename: str, *, status: int, detail: str | None) -> FailedFile:
    title = friendly_title(status)
    return FailedFile(filename=filename, title=title, message=detail or title)
