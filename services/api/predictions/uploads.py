"""Checking each uploaded file before anything is sent to the detector or stored."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import partial

import anyio
from fastapi import UploadFile

from services.api.links.schemas import LinkSource
from services.common.contract import InferenceResult
from services.common.images import ImageFacts, inspect_image
from services.common.problems import PayloadTooLarge, ProblemError
from services.common.uploads import check_filename


@dataclass(slots=True)
class CheckedUpload:
    """One uploaded file: its bytes and facts, or why it was refused; later its result."""

    index: int
    filename: str
    data: bytes = b""
    sha256: str = ""
    facts: ImageFacts | None = None
    error: ProblemError | None = None
    result: InferenceResult | None = None
    reused: bool = False
    latency_ms: float = 0.0
    source: LinkSource | None = None

    @property
    def ok(self) -> bool:
        """Whether the file is still on its way to a verdict."""
        return self.error is None


async def check_upload(
    *, index: int, upload: UploadFile, max_bytes: int, max_pixels: int
) -> CheckedUpload:
    """Read and validate one upload; a bad file gets its own error and stops here."""
    if upload.size is not None and upload.size > max_bytes:
        checked = CheckedUpload(index=index, filename=(upload.filename or "upload")[:255])
        checked.error = PayloadTooLarge(f"The file is larger than {max_bytes} bytes.")
        return checked
    data = await upload.read()
    return await check_bytes(
        index=index, filename=upload.filename, data=data, max_bytes=max_bytes, max_pixels=max_pixels
    )


async def check_bytes(
    *, index: int, filename: str | None, data: bytes, max_bytes: int, max_pixels: int
) -> CheckedUpload:
    """Validate one file's name and bytes; a bad file gets its own error and stops here."""
    checked = CheckedUpload(index=index, filename=(filename or "upload")[:255])
    try:
        checked.filename = check_filename(filename)
        if len(data) > max_bytes:
            raise PayloadTooLarge(f"The file is larger than {max_bytes} bytes.")
        checked.data, checked.sha256 = data, hashlib.sha256(data).hexdigest()
        checked.facts = await anyio.to_thread.run_sync(
            partial(inspect_image, data, max_pixels=max_pixels)
        )
    except ProblemError as error:
        checked.error, checked.data = error, b""
    return checked
