"""The SDK's webhook check, against signatures made the way the API makes them."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import pytest
from deepcatcher_client import InvalidSignature, verify_webhook

from services.api.jobs.webhooks import SIGNATURE_HEADER, TIMESTAMP_HEADER, new_secret, sign

SECRET = new_secret()
BODY = json.dumps(
    {
        "event": "job.completed",
        "job": {
            "id": "0b7f4c1e-2a51-4e0a-9a7c-5a3a2f8e9d10",
            "status": "completed",
            "total": 1,
            "done": 1,
            "failed": 0,
            "pending": 0,
            "created_at": "2026-01-01T00:00:00Z",
            "finished_at": "2026-01-01T00:00:01Z",
        },
    }
).encode()


def signed_headers(*, signature: str | None = None) -> dict[str, str]:
    """The headers the API sends with BODY now, with the signature replaced if given."""
    timestamp = int(time.time())
    real = sign(secret=SECRET, timestamp=timestamp, body=BODY)
    return {TIMESTAMP_HEADER: str(timestamp), SIGNATURE_HEADER: signature or real}


def test_a_signature_the_api_made_verifies() -> None:
    payload = verify_webhook(secret=SECRET, headers=signed_headers(), body=BODY)
    assert payload.job.done == 1


@pytest.mark.parametrize(
    "signature",
    [
        "sha256=" + "é" * 64,  # what a server decoding headers as Latin-1 hands over
        "sha256=\u2603",
        "sha256=\udcff",
        "sha256=",
        "sha256",
        "sha1=" + "0" * 40,
        " " + "0" * 64,
    ],
)
def test_a_malformed_signature_is_an_invalid_signature(signature: str) -> None:
    with pytest.raises(InvalidSignature):
        verify_webhook(secret=SECRET, headers=signed_headers(signature=signature), body=BODY)


ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@pytest.mark.parametrize(
    "spelling",
    [
        lambda now: now.translate(ARABIC_INDIC),
        lambda now: f" {now} ",
        lambda now: f"{now[:4]}_{now[4:]}",
        lambda now: f"+{now}",
        lambda now: "",
    ],
    ids=["arabic-indic", "padded", "underscored", "signed", "empty"],
)
def test_a_timestamp_not_in_plain_digits_is_an_invalid_signature(
    spelling: Callable[[str], str],
) -> None:
    headers = signed_headers()
    headers[TIMESTAMP_HEADER] = spelling(headers[TIMESTAMP_HEADER])
    with pytest.raises(InvalidSignature, match=TIMESTAMP_HEADER):
        verify_webhook(secret=SECRET, headers=headers, body=BODY)


def test_a_missing_signature_is_an_invalid_signature() -> None:
    headers = {TIMESTAMP_HEADER: str(int(time.time()))}
    with pytest.raises(InvalidSignature):
        verify_webhook(secret=SECRET, headers=headers, body=BODY)


@pytest.mark.parametrize("secret", ["", None])
def test_an_empty_secret_is_refused_before_any_check(secret: str | None) -> None:
    with pytest.raises(ValueError, match="secret"):
        verify_webhook(secret=secret, headers=signed_headers(), body=BODY)  # type: ignore[arg-type]
