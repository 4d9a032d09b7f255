"""Where image bytes live: a small interface and its local-directory implementation."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Protocol

import anyio


class ImageStorage(Protocol):
    """Content-addressed blob storage for uploaded images."""

    async def put(self, *, key: str, data: bytes) -> None:
        """Store bytes under a key; storing the same key twice is harmless."""

    async def get(self, *, key: str) -> bytes | None:
        """The bytes under a key, or None if they are gone."""

    async def delete(self, *, key: str) -> None:
        """Remove a key; a missing key is fine."""


def storage_key_for(sha256: str) -> str:
    """The key for an image's sha256: fanned out so no directory grows huge."""
    return f"{sha256[:2]}/{sha256}"


class LocalImageStorage:
    """Images as files under one directory, written atomically."""

    def __init__(self, *, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise ValueError(f"storage key escapes the storage root: {key!r}")
        return path

    async def put(self, *, key: str, data: bytes) -> None:
        """Write the file unless it exists; a crash never leaves a half-written image."""
        await anyio.to_thread.run_sync(self._put_sync, self._path(key), data)

    @staticmethod
    def _put_sync(path: Path, data: bytes) -> None:
        if path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, path)

    async def get(self, *, key: str) -> bytes | None:
        """Read the file, or None."""
        path = self._path(key)
        try:
            return await anyio.Path(path).read_bytes()
        except FileNotFoundError:
            return None

    async def delete(self, *, key: str) -> None:
        """Remove the file if present."""
        await anyio.Path(self._path(key)).unlink(missing_ok=True)
