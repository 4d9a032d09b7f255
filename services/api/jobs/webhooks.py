"""Signed completion callbacks: HMAC-SHA256 over a timestamp and the raw body."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from urllib.parse import urlsplit

import httpx

from services.api.links.addresses import Unresolvable, is_public_unicast, resolve
from services.common.problems import UnprocessableContent

SIGNATURE_HEADER = "X-Deepcatcher-Signature"
TIMESTAMP_HEADER = "X-Deepcatcher-Timestamp"


class UnsafeCallbackUrl(UnprocessableContent):
    slug = "unsafe-callback-url"


class WebhookFailed(Exception):
    """The receiver did not accept the callback."""


def new_secret() -> str:
    """A fresh signing secret for one job's callbacks."""
    return secrets.token_hex(32)


def sign(*, secret: str, timestamp: int, body: bytes) -> str:
    """The signature header value for a body sent at a moment."""
    if not secret:  # anyone can compute an HMAC under the empty key
        raise ValueError("refusing to sign with an empty secret")
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


def verify(
    *, secret: str, timestamp: int, body: bytes, signature: str, tolerance_s: int = 300
) -> bool:
    """Whether a callback is authentic and fresh (what a receiver should check)."""
    fresh = abs(time.time() - timestamp) <= tolerance_s
    return (
        fresh
        and signature.isascii()  # compare_digest refuses other strings with a TypeError
        and hmac.compare_digest(sign(secret=secret, timestamp=timestamp, body=body), signature)
    )


async def check_callback_url(url: str, *, allow_private: bool) -> str:
    """The URL, if it is well-formed http(s) and (unless allowed) resolves only to public hosts."""
    host, port = _host_and_port(url)
    if allow_private:
        return url
    try:
        addresses = await resolve(host=host, port=port)
    except Unresolvable as exc:
        raise UnsafeCallbackUrl("callback_url's host does not resolve.") from exc
    if not all(is_public_unicast(address) for address in addresses):
        raise UnsafeCallbackUrl("callback_url must not point at a private or local address.")
    return url


def _host_and_port(url: str) -> tuple[str, int]:
    """The URL's host and port, or a 422 for anything malformed (bad port, stray bracket)."""
    try:
        port = urlsplit(url).port  # range-checked, unlike httpx's parser
        parsed = httpx.URL(url)  # the host as the delivery will encode it (IDNA)
    except (ValueError, httpx.InvalidURL) as exc:
        raise UnsafeCallbackUrl(f"callback_url is not a valid URL ({exc}).") from exc
    if parsed.scheme not in {"http", "https"} or not parsed.raw_host:
        raise UnsafeCallbackUrl("callback_url must be an http or https URL.")
    return parsed.raw_host.decode("ascii"), port or (443 if parsed.scheme == "https" else 80)


async def deliver(*, http: httpx.AsyncClient, url: str, secret: str, body: bytes) -> None:
    """POST a signed callback; anything but a 2xx answer is a failure to retry."""
    if not secret:
        raise WebhookFailed("the job has no signing secret, so no callback was sent")
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(secret=secret, timestamp=timestamp, body=body),
    }
    try:
        response = await http.post(url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        raise WebhookFailed(f"{type(exc).__name__}: {exc}") from exc
    if not response.is_success:
        raise WebhookFailed(f"the receiver answered {response.status_code}")
