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

    Pass the raw body bytes as received (not re-serialised JSON) and the job's `callback_secret`;
    an empty secret is a ValueError, since anyone could sign with it.
    """
    if not secret:
        raise ValueError("secret is empty: pass the job's callback_secret")
    lowered = {name.lower(): value for name, value in headers.items()}
    timestamp = _timestamp(lowered.get(TIMESTAMP_HEADER.lower()))
    if abs(time.time() - timestamp) > tolerance_s:
        raise InvalidSignature("the callback is too old (or from the future): replayed?")
    signature = lowered.get(SIGNATURE_HEADER.lower())
    # compare_digest takes ASCII strings only; anything else cannot be a signature we made.
    if not isinstance(signature, str) or not signature.isascii():
        raise InvalidSignature(f"missing or malformed {SIGNATURE_HEADER}")
    expected = signature_for(secret=secret, timestamp=timestamp, body=body)
    if not hmac.compare_digest(expected, signature):
        raise InvalidSignature("the signature does not match the body")
    return WebhookPayload.model_validate_json(body)


def _timestamp(value: str | None) -> int:
    """The header's Unix time, which the API writes as plain ASCII digits and nothing else."""
    if not isinstance(value, str) or not (value.isascii() and value.isdigit()):
        raise InvalidSignature(f"missing or malformed {TIMESTAMP_HEADER}")
    return int(value)
