"""Redirect targets taken from requests must stay on this site."""

from __future__ import annotations

from urllib.parse import urlsplit


def local_path(target: str | None, *, default: str = "/") -> str:
    """The path (and query) of `target` when it points into this site, else `default`."""
    if not target:
        return default
    parts = urlsplit(target)
    path = parts.path
    # "//evil.example" and "/\\evil.example" are other sites to browsers.
    if parts.scheme or parts.netloc or not path.startswith("/") or path.startswith(("//", "/\\")):
        return default
    return f"{path}?{parts.query}" if parts.query else path
