"""Getting verdicts for uploads, reusing stored ones, and keeping each user's history."""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from http import HTTPStatus

from fastapi import UploadFile
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.auth.principal import Principal
from services.api.clients.inference import InferenceClient
from services.api.config import ApiSettings
from services.api.db.base import utcnow
from services.api.db.pagination import decode_cursor, encode_cursor
from services.api.idempotency import service as idempotency
from services.api.images.models import Image
from services.api.images.storage import ImageStorage, storage_key_for
from services.api.predictions import repository
from services.api.predictions.models import Prediction
from services.api.predictions.schemas import (
    ImageOut,
    PredictionBatch,
    PredictionItem,
    PredictionOut,
    PredictionPage,
    PredictionSummary,
)
from services.api.predictions.uploads import CheckedUpload, check_upload
from services.common.contract import InferenceResult, ModelRef, Signal
from services.common.problems import BadRequest, NotFound, ProblemError


@dataclass(frozen=True, slots=True)
class Detection:
    """What predicting needs: the database, the image store and the detector."""

    session: AsyncSession
    storage: ImageStorage
    inference: InferenceClient
    settings: ApiSettings


@dataclass(frozen=True, slots=True)
class Answer:
    """The HTTP status and body of a prediction request, possibly replayed."""

    status: int
    body: PredictionBatch | dict[str, object]
    replayed: bool = False


class AllUploadsFailed(ProblemError):
    status, title, slug = 422, "Unprocessable Content", "uploads-rejected"


async def submit(
    *,
    detection: Detection,
    uploads: list[UploadFile],
    principal: Principal | None,
    idempotency_key: str | None,
) -> Answer:
    """Check every upload, reply from a stored answer for a retried key, else predict."""
    settings = detection.settings
    checked = [
        await check_upload(
            index=index,
            upload=upload,
            max_bytes=settings.max_upload_bytes,
            max_pixels=settings.max_image_pixels,
        )
        for index, upload in enumerate(uploads)
    ]
    key = _valid_key(idempotency_key) if principal else None
    request_hash = idempotency.fingerprint([[c.filename, c.sha256, c.ok] for c in checked])
    if principal and key:
        stored = await idempotency.replay(
            session=detection.session, user_id=principal.user.id, key=key, request_hash=request_hash
        )
        if stored:
            return Answer(status=stored.status, body=stored.body, replayed=True)
    batch = await _predict(detection=detection, checked=checked, principal=principal)
    answer = Answer(status=201 if batch.saved else 200, body=batch)
    if principal is None:
        return answer
    return await _save(
        detection=detection,
        checked=checked,
        principal=principal,
        answer=answer,
        idempotency_key=(key, request_hash) if key else None,
    )


def _valid_key(key: str | None) -> str | None:
    if key is not None and not (0 < len(key) <= idempotency.MAX_KEY_LENGTH and key.isprintable()):
        raise BadRequest("Idempotency-Key must be 1 to 255 printable characters.")
    return key


async def _predict(
    *, detection: Detection, checked: list[CheckedUpload], principal: Principal | None
) -> PredictionBatch:
    """Fill in a result for every valid upload, reusing stored ones for the current model."""
    pending = [upload for upload in checked if upload.ok]
    if not pending:
        raise _all_failed(checked)
    model = await detection.inference.current_model()
    for upload in pending:
        await _reuse_stored(session=detection.session, upload=upload, model=model)
    # End the read transaction: no connection is held while the detector works.
    await detection.session.commit()
    await asyncio.gather(
        *(_detect(inference=detection.inference, upload=u) for u in pending if u.result is None)
    )
    if not any(upload.ok for upload in checked):
        raise _all_failed(checked)
    return PredictionBatch(saved=principal is not None, items=[_item(u) for u in checked])


async def _reuse_stored(*, session: AsyncSession, upload: CheckedUpload, model: ModelRef) -> None:
    started = time.perf_counter()
    stored = await repository.find_reusable(
        session=session, sha256=upload.sha256, model_version=model.version
    )
    if stored is not None:
        upload.result, upload.reused = _result_of(stored), True
        upload.latency_ms = _elapsed_ms(started)


async def _detect(*, inference: InferenceClient, upload: CheckedUpload) -> None:
    assert upload.facts is not None
    started = time.perf_counter()
    try:
        upload.result = await inference.predict(
            data=upload.data, filename=upload.filename, mime_type=upload.facts.mime_type
        )
    except ProblemError as error:
        if error.status >= 500:
            raise  # the detector is down: fail the whole request, write nothing
        upload.error = error
    upload.latency_ms = _elapsed_ms(started)


async def _save(
    *,
    detection: Detection,
    checked: list[CheckedUpload],
    principal: Principal,
    answer: Answer,
    idempotency_key: tuple[str, str] | None,
) -> Answer:
    """Store images and predictions (and the idempotent answer) in one transaction."""
    session = detection.session
    assert isinstance(answer.body, PredictionBatch)
    for upload, item in zip(checked, answer.body.items, strict=True):
        if upload.ok:
            item.prediction = await _store_one(
                detection=detection, upload=upload, owner_id=principal.user.id
            )
    if idempotency_key:
        key, request_hash = idempotency_key
        idempotency.remember(
            session=session,
            user_id=principal.user.id,
            key=key,
            request_hash=request_hash,
            answer=idempotency.StoredAnswer(
                status=answer.status, body=answer.body.model_dump(mode="json")
            ),
        )
    try:
        await session.commit()
    except IntegrityError:  # the same key was answered concurrently: replay that answer
        await session.rollback()
        if not idempotency_key:
            raise
        stored = await idempotency.replay(
            session=session,
            user_id=principal.user.id,
            key=idempotency_key[0],
            request_hash=idempotency_key[1],
        )
        if stored is None:
            raise
        return Answer(status=stored.status, body=stored.body, replayed=True)
    return answer


async def _store_one(
    *, detection: Detection, upload: CheckedUpload, owner_id: uuid.UUID
) -> PredictionOut:
    assert upload.result is not None and upload.facts is not None
    key = storage_key_for(upload.sha256)
    await detection.storage.put(key=key, data=upload.data)
    image = await repository.get_or_add_image(
        session=detection.session,
        image=Image(
            sha256=upload.sha256,
            byte_size=len(upload.data),
            mime_type=upload.facts.mime_type,
            width=upload.facts.width,
            height=upload.facts.height,
            storage_key=key,
        ),
    )
    prediction = await repository.add(
        session=detection.session,
        prediction=_new_prediction(upload=upload, owner_id=owner_id, image=image),
    )
    return prediction_out(prediction)


def _new_prediction(*, upload: CheckedUpload, owner_id: uuid.UUID, image: Image) -> Prediction:
    assert upload.result is not None
    result = upload.result
    return Prediction(
        owner_id=owner_id,
        image_id=image.id,
        image=image,
        filename=upload.filename,
        verdict=result.verdict,
        score=result.score,
        model_name=result.model.name,
        model_version=result.model.version,
        signals=[signal.model_dump(mode="json") for signal in result.signals],
        image_format=result.image.format,
        latency_ms=upload.latency_ms,
        reused=upload.reused,
    )


def _result_of(prediction: Prediction) -> InferenceResult:
    image = prediction.image
    return InferenceResult.model_validate(
        {
            "verdict": prediction.verdict,
            "score": prediction.score,
            "model": {"name": prediction.model_name, "version": prediction.model_version},
            "signals": prediction.signals,
            "image": {
                "width": image.width,
                "height": image.height,
                "format": prediction.image_format,
            },
        }
    )


def _item(upload: CheckedUpload) -> PredictionItem:
    if upload.error is not None or upload.result is None:
        error = upload.error or ProblemError("No result.")
        return PredictionItem(
            index=upload.index, filename=upload.filename, status="error", error=error.to_problem()
        )
    return PredictionItem(
        index=upload.index,
        filename=upload.filename,
        status="ok",
        prediction=_anonymous_out(upload),
    )


def _anonymous_out(upload: CheckedUpload) -> PredictionOut:
    assert upload.result is not None and upload.facts is not None
    result = upload.result
    return PredictionOut(
        id=None,
        created_at=utcnow(),
        filename=upload.filename,
        verdict=result.verdict,
        score=result.score,
        model=result.model,
        signals=result.signals,
        image=ImageOut(
            sha256=upload.sha256,
            mime_type=upload.facts.mime_type,
            width=upload.facts.width,
            height=upload.facts.height,
            byte_size=len(upload.data),
        ),
        latency_ms=upload.latency_ms,
        reused=upload.reused,
    )


def _all_failed(checked: list[CheckedUpload]) -> ProblemError:
    """The answer when no file could be checked: the one file's error, or all of them."""
    errors = [upload.error for upload in checked if upload.error is not None]
    items = [
        {
            "index": upload.index,
            "filename": upload.filename,
            "error": upload.error.to_problem().model_dump(exclude_none=True),
        }
        for upload in checked
        if upload.error is not None
    ]
    if len(errors) == 1:
        errors[0].extensions["items"] = items
        return errors[0]
    statuses = {error.status for error in errors}
    failure = AllUploadsFailed(
        "None of the uploaded files could be checked.", extensions={"items": items}
    )
    failure.status = statuses.pop() if len(statuses) == 1 else 422
    failure.title = HTTPStatus(failure.status).phrase
    return failure


def _elapsed_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)


def summary_out(prediction: Prediction) -> PredictionSummary:
    """A stored prediction as listed in history."""
    return PredictionSummary.model_validate(_out_fields(prediction))


def prediction_out(prediction: Prediction) -> PredictionOut:
    """A stored prediction with its evidence."""
    fields = _out_fields(prediction)
    fields["signals"] = [Signal.model_validate(signal) for signal in prediction.signals]
    return PredictionOut.model_validate(fields)


def _out_fields(prediction: Prediction) -> dict[str, object]:
    image = prediction.image
    return {
        "id": prediction.id,
        "created_at": prediction.created_at,
        "filename": prediction.filename,
        "verdict": prediction.verdict,
        "score": prediction.score,
        "model": ModelRef(name=prediction.model_name, version=prediction.model_version),
        "image": ImageOut(
            sha256=image.sha256,
            mime_type=image.mime_type,
            width=image.width,
            height=image.height,
            byte_size=image.byte_size,
        ),
        "latency_ms": prediction.latency_ms,
        "reused": prediction.reused,
        "image_url": f"/v1/predictions/{prediction.id}/image",
    }


async def history(
    *,
    session: AsyncSession,
    owner_id: uuid.UUID,
    verdict: str | None,
    created_from: datetime | None,
    created_to: datetime | None,
    cursor: str | None,
    limit: int,
) -> PredictionPage:
    """One page of the owner's history, newest first."""
    rows = await repository.list_page(
        session=session,
        owner_id=owner_id,
        verdict=verdict,
        created_from=created_from,
        created_to=created_to,
        after=decode_cursor(cursor) if cursor else None,
        limit=limit + 1,
    )
    page, more = rows[:limit], len(rows) > limit
    return PredictionPage(
        items=[summary_out(row) for row in page],
        next_cursor=(
            encode_cursor(created_at=page[-1].created_at, row_id=page[-1].id) if more else None
        ),
    )


async def get_owned(
    *, session: AsyncSession, owner_id: uuid.UUID, prediction_id: uuid.UUID
) -> Prediction:
    """The owner's prediction; anyone else's answers exactly like a missing one."""
    prediction = await repository.get_owned(
        session=session, owner_id=owner_id, prediction_id=prediction_id
    )
    if prediction is None:
        raise NotFound("No prediction with that id.")
    return prediction


async def delete(
    *, session: AsyncSession, storage: ImageStorage, owner_id: uuid.UUID, prediction_id: uuid.UUID
) -> None:
    """Delete a prediction, and its image once nothing references it."""
    prediction = await get_owned(session=session, owner_id=owner_id, prediction_id=prediction_id)
    image_id = prediction.image_id
    await session.delete(prediction)
    await session.flush()
    orphans = await repository.delete_unreferenced_images(session=session, image_ids=[image_id])
    await session.commit()
    for storage_key in orphans:
        await storage.delete(key=storage_key)


async def image_bytes(
    *, session: AsyncSession, storage: ImageStorage, owner_id: uuid.UUID, prediction_id: uuid.UUID
) -> tuple[bytes, str]:
    """The bytes and MIME type of the image behind one of the owner's predictions."""
    prediction = await get_owned(session=session, owner_id=owner_id, prediction_id=prediction_id)
    data = await storage.get(key=prediction.image.storage_key)
    if data is None:
        raise NotFound("The image is no longer stored.")
    return data, prediction.image.mime_type
