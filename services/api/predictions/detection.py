"""One image's way to a verdict: reuse a stored one or ask the detector; then keep it."""

from __future__ import annotations

import time
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.api.clients.inference import InferenceClient
from services.api.images.models import Image
from services.api.images.storage import ImageStorage, storage_key_for
from services.api.known_images.matching import history_hash
from services.api.predictions import repository
from services.api.predictions.coalescing import InflightChecks
from services.api.predictions.models import Prediction
from services.api.predictions.presenters import result_of
from services.api.predictions.uploads import CheckedUpload
from services.common.contract import ModelRef
from services.common.problems import ProblemError


async def reuse_stored(
    *, session: AsyncSession, upload: CheckedUpload, model: ModelRef, owner_id: uuid.UUID | None
) -> None:
    """Give the upload a stored result for the same bytes and model version, if any; it reads
    as reused only when it is the owner's own earlier check."""
    started = time.perf_counter()
    stored = await repository.find_reusable(
        session=session, sha256=upload.sha256, model_version=model.version, owner_id=owner_id
    )
    if stored is None:
        return
    upload.result = result_of(stored)
    upload.reused = owner_id is not None and stored.owner_id == owner_id
    # Someone else's result is answered as a fresh one, with the detector's time: a lookup's
    # few milliseconds would tell that somebody already checked these bytes.
    upload.latency_ms = elapsed_ms(started) if upload.reused else stored.latency_ms


async def detect(
    *,
    inference: InferenceClient,
    inflight: InflightChecks,
    upload: CheckedUpload,
    model: ModelRef,
    owner_id: uuid.UUID | None,
) -> None:
    """Ask the detector (or share an identical check in flight); a refused image becomes the
    upload's error, an outage is raised."""
    assert upload.facts is not None
    facts, started = upload.facts, time.perf_counter()
    try:
        shared = await inflight.run(
            key=(upload.sha256, model.version),
            owner_id=owner_id,
            check=lambda: inference.predict(
                data=upload.data, filename=upload.filename, mime_type=facts.mime_type
            ),
        )
    except ProblemError as error:
        if error.status >= 500:
            raise  # the detector is down: fail the whole request, write nothing
        upload.error = error
        upload.latency_ms = elapsed_ms(started)
        return
    upload.result, upload.reused = shared.result, shared.reused
    # Joining someone else's call reads as making it: its whole time, not the shorter wait.
    upload.latency_ms = elapsed_ms(started) if shared.reused else shared.took_ms


async def store_image(
    *, session: AsyncSession, storage: ImageStorage, upload: CheckedUpload
) -> Image:
    """The image row for the upload's bytes, storing them first if they are new."""
    assert upload.facts is not None
    key = storage_key_for(upload.sha256)
    await storage.put(key=key, data=upload.data)
    return await repository.get_or_add_image(
        session=session,
        image=Image(
            sha256=upload.sha256,
            byte_size=len(upload.data),
            mime_type=upload.facts.mime_type,
            width=upload.facts.width,
            height=upload.facts.height,
            storage_key=key,
        ),
    )


def new_prediction(*, upload: CheckedUpload, owner_id: uuid.UUID, image: Image) -> Prediction:
    """The history row for an upload's result."""
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
        decided_by=result.decided_by,
        fingerprints=result.fingerprints.model_dump() if result.fingerprints else None,
        pdq=history_hash(result.fingerprints) if result.fingerprints else None,
        source=upload.source.model_dump(mode="json") if upload.source else None,
    )


def elapsed_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)
