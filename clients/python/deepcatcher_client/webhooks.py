"""Checking that a job's completion callback really comes from the Deepcatcher API."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping

from deepcatcher_client.errors import InvalidSignature
from deepcatcher_client.models import WebhookPayload

SIGNATURE_HEADER = "X-Deepcatcher-Signature"
TIMESTAMP_HEADER = "X-Deepcatcher-Timestamp"


def signature_for(*, secret: str, timestamp: int, body: bytes) -> str:
    """The signature the API sends for a body: `sha256=` + HMAC-SHA256 of `<timestamp>.<body>`."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


def verify_webhook(
    *, secret: str, headers: Mapping[str, str], body: bytes, tolerance_s: int = 300
) -> WebhookPayload:
    """The callback's payload if its signature matches and it is fresh; else InvalidSignature.

    Pass the raw body bytes as received (not re-serialised JSON) and the job's `callback_secret`.
    """
    lowered = {name.lower(): value for name, value in headers.items()}
    signature = lowered.get(SIGNATURE_HEADER.lower(), "")
    try:
        timestamp = int(lowered.get(TIMESTAMP_HEADER.lower(), ""))
    except ValueError as exc:
        raise InvalidSignature(f"missing or malformed {TIMESTAMP_HEADER}") from exc
    if abs(time.time() - timestamp) > tolerance_s:
        raise InvalidSignature("the callback is too old (or from the future): replayed?")
    expected = signature_for(secret=secret, timestamp=timestamp, body=body)
    if not hmac.compare_digest(expected, signature):
        raise InvalidSignature("the signature does not match the body")
    return WebhookPayload.model_validate_json(body)
