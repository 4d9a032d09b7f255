"""Getting verdicts for uploads, reusing stored ones, and keeping each user's history."""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass
from http import HTTPStatus

from fastapi import UploadFile
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.auth.principal import Principal
from services.api.auth.scopes import Scope
from services.api.clients.inference import InferenceClient
from services.api.config import ApiSettings
from services.api.idempotency import service as idempotency
from services.api.images.storage import ImageStorage
from services.api.known_images import service as known_images
from services.api.known_images.index import FingerprintIndex
from services.api.links import service as links
from services.api.links.fetcher import LinkFetcher
from services.api.predictions import repository
from services.api.predictions.coalescing import InflightChecks
from services.api.predictions.detection import detect, new_prediction, reuse_stored, store_image
from services.api.predictions.presenters import item_of, prediction_out
from services.api.predictions.schemas import PredictionBatch, PredictionOut
from services.api.predictions.uploads import CheckedUpload, check_bytes, check_upload
from services.common.problems import BadRequest, ProblemError

INVALID_KEY = "Idempotency-Key must be 1 to 255 printable characters."


@dataclass(frozen=True, slots=True)
class Detection:
    """What predicting needs: the database, the image store and the detector."""

    session: AsyncSession
    storage: ImageStorage
    inference: InferenceClient
    inflight: InflightChecks
    settings: ApiSettings
    known: FingerprintIndex
    links: LinkFetcher


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
    link: str | None,
    principal: Principal | None,
    idempotency_key: str | None,
) -> Answer:
    """Check the uploads (or the image a link leads to), then answer them."""
    if link is not None:
        checked = [await _checked_link(detection=detection, url=link)]
    else:
        checked = [
            await check_upload(
                index=index,
                upload=upload,
                max_bytes=detection.settings.max_upload_bytes,
                max_pixels=detection.settings.max_image_pixels,
            )
            for index, upload in enumerate(uploads)
        ]
    return await _answer(
        detection=detection, checked=checked, principal=principal, idempotency_key=idempotency_key
    )


async def _checked_link(*, detection: Detection, url: str) -> CheckedUpload:
    """Fetch the image a link leads to; its bytes, exactly as served, are checked as an upload."""
    linked = await links.fetch_image(fetcher=detection.links, url=url)
    checked = await check_bytes(
        index=0,
        filename=linked.filename,
        data=linked.data,
        max_bytes=detection.settings.max_upload_bytes,
        max_pixels=detection.settings.max_image_pixels,
    )
    checked.source = linked.source
    if checked.facts is not None:
        checked.source = links.size_note(
            linked=linked, width=checked.facts.width, height=checked.facts.height
        )
    return checked


async def _answer(
    *,
    detection: Detection,
    checked: list[CheckedUpload],
    principal: Principal | None,
    idempotency_key: str | None,
) -> Answer:
    """Reply from a stored answer for a retried key, else predict (and save when signed in)."""
    retry = _retry_of(principal=principal, key=idempotency_key, checked=checked)
    if retry is not None:
        stored = await idempotency.replay(session=detection.session, request=retry)
        if stored:
            return Answer(status=stored.status, body=stored.body, replayed=True)
    batch = await _predict(detection=detection, checked=checked, principal=principal)
    if principal is None:
        return Answer(status=200, body=batch)
    return await _save(
        detection=detection, checked=checked, owner_id=principal.user.id, batch=batch, retry=retry
    )


def _retry_of(
    *, principal: Principal | None, key: str | None, checked: list[CheckedUpload]
) -> idempotency.KeyedRequest | None:
    """What an Idempotency-Key names; anonymous requests save nothing, so need none."""
    if principal is None or key is None:
        return None
    if not (0 < len(key) <= idempotency.MAX_KEY_LENGTH and key.isprintable()):
        raise BadRequest(INVALID_KEY)
    request_hash = idempotency.fingerprint([[c.filename, c.sha256, c.ok] for c in checked])
    return idempotency.KeyedRequest(user_id=principal.user.id, key=key, request_hash=request_hash)


async def _predict(
    *, detection: Detection, checked: list[CheckedUpload], principal: Principal | None
) -> PredictionBatch:
    """Fill in a result for every valid upload, reusing stored ones for the current model."""
    pending, started = [upload for upload in checked if upload.ok], time.perf_counter()
    if not pending:
        raise _all_failed(checked)
    model = await detection.inference.current_model()
    owner_id = principal.user.id if principal else None
    for upload in pending:
        await reuse_stored(session=detection.session, upload=upload, model=model, owner_id=owner_id)
    # End the read transaction: no connection is held while the detector works.
    await detection.session.commit()
    inference, inflight = detection.inference, detection.inflight
    await asyncio.gather(
        *(
            detect(inference=inference, inflight=inflight, upload=u, model=model, owner_id=owner_id)
            for u in pending
            if u.result is None
        )
    )
    if not any(upload.ok for upload in checked):
        raise _all_failed(checked)
    await _as_slow_as_the_detector(uploads=pending, started=started)
    for upload in pending:
        await _match(detection=detection, upload=upload, principal=principal)
    return PredictionBatch(saved=principal is not None, items=[item_of(u) for u in checked])


async def _as_slow_as_the_detector(*, uploads: list[CheckedUpload], started: float) -> None:
    """Answer no sooner than the detector took for any result not reused from the caller's own."""
    # Someone else's stored answer saves a detector call, but coming back at a lookup's speed
    # would tell that somebody already checked these bytes.
    slowest_ms = max((u.latency_ms for u in uploads if u.result and not u.reused), default=0.0)
    await asyncio.sleep(max(0.0, slowest_ms / 1000 - (time.perf_counter() - started)))


async def _match(
    *, detection: Detection, upload: CheckedUpload, principal: Principal | None
) -> None:
    """Add the `matches` signal: known images, and the caller's own look-alike checks."""
    if upload.result is not None:
        upload.result = await known_images.matched(
            session=detection.session,
            index=detection.known,
            result=upload.result,
            owner_id=_history_reader(principal),
            admin=principal is not None and principal.is_admin,
        )


def _history_reader(principal: Principal | None) -> uuid.UUID | None:
    """Whose earlier checks an answer may name: the caller's, when they may read history."""
    # A key without `history` is refused GET /v1/predictions; the same facts (ids, file names,
    # verdicts) must not reach it through the evidence of a new check either.
    if principal is None or not principal.allows(Scope.history):
        return None
    return principal.user.id


async def _save(
    *,
    detection: Detection,
    checked: list[CheckedUpload],
    owner_id: uuid.UUID,
    batch: PredictionBatch,
    retry: idempotency.KeyedRequest | None,
) -> Answer:
    """Store images and predictions (and the answer to a keyed request) in one transaction."""
    for upload, item in zip(checked, batch.items, strict=True):
        if upload.ok:
            item.prediction = await _store_one(
                detection=detection, upload=upload, owner_id=owner_id
            )
    answer = Answer(status=201, body=batch)
    if retry is not None:
        stored = idempotency.StoredAnswer(status=201, body=batch.model_dump(mode="json"))
        idempotency.remember(session=detection.session, request=retry, answer=stored)
    try:
        await detection.session.commit()
    except IntegrityError:
        await detection.session.rollback()
        # The same key was answered by a concurrent request: replay that answer instead.
        stored_answer = retry and await idempotency.replay(session=detection.session, request=retry)
        if not stored_answer:
            raise
        return Answer(status=stored_answer.status, body=stored_answer.body, replayed=True)
    return answer


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


async def _store_one(
    *, detection: Detection, upload: CheckedUpload, owner_id: uuid.UUID
) -> PredictionOut:
    image = await store_image(session=detection.session, storage=detection.storage, upload=upload)
    prediction = await repository.add(
        session=detection.session,
        prediction=new_prediction(upload=upload, owner_id=owner_id, image=image),
    )
    return prediction_out(prediction)
