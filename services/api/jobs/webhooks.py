"""Signed completion callbacks: HMAC-SHA256 over a timestamp and the raw body."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import socket
import time
from urllib.parse import urlsplit

import anyio
import httpx

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
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


def verify(
    *, secret: str, timestamp: int, body: bytes, signature: str, tolerance_s: int = 300
) -> bool:
    """Whether a callback is authentic and fresh (what a receiver should check)."""
    fresh = abs(time.time() - timestamp) <= tolerance_s
    return fresh and hmac.compare_digest(
        sign(secret=secret, timestamp=timestamp, body=body), signature
    )


async def check_callback_url(url: str, *, allow_private: bool) -> str:
    """The URL, if it is http(s) and (unless allowed) resolves only to public addresses."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise UnsafeCallbackUrl("callback_url must be an http or https URL.")
    if allow_private:
        return url
    try:
        infos = await anyio.getaddrinfo(parts.hostname, parts.port or 443, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise UnsafeCallbackUrl("callback_url's host does not resolve.") from exc
    addresses = {ipaddress.ip_address(info[4][0]) for info in infos}
    if any(not address.is_global for address in addresses):
        raise UnsafeCallbackUrl("callback_url must not point at a private or local address.")
    return url


async def deliver(*, http: httpx.AsyncClient, url: str, secret: str, body: bytes) -> None:
    """POST a signed callback; anything but a 2xx answer is a failure to retry."""
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
