"""The images to check: folders walked recursively, each file named by its content's hash."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".avif", ".heic", ".heif"})
LINK_PREFIXES = ("http://", "https://")


@dataclass(frozen=True, slots=True)
class ImageFile:
    """One image on disk and the sha256 of its bytes."""

    path: Path
    sha256: str


def image_paths(paths: Iterable[Path]) -> Iterator[Path]:
    """Files named directly, and every image file under the folders named, in a stable order."""
    for path in paths:
        if path.is_dir():
            found = (p for p in path.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)
            yield from sorted(p for p in found if p.is_file())
        elif path.is_file():
            yield path
        else:
            raise FileNotFoundError(f"no such file or folder: {path}")


def sha256_of(path: Path) -> str:
    """The hex sha256 of a file's bytes."""
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def image_files(paths: Iterable[Path]) -> list[ImageFile]:
    """Every image to check, with its hash."""
    return [ImageFile(path=path, sha256=sha256_of(path)) for path in image_paths(paths)]


def is_link(target: str) -> bool:
    """Whether a command-line target is an http(s) link rather than a path."""
    return target.lower().startswith(LINK_PREFIXES)


def split_targets(targets: Iterable[str]) -> tuple[list[Path], list[str]]:
    """The paths and the links among the targets, each in the order given."""
    targets = list(targets)
    return [Path(t) for t in targets if not is_link(t)], [t for t in targets if is_link(t)]


def read_links(path: Path) -> list[str]:
    """The links of a text file, one a line; blank lines and `#` comments are skipped."""
    lines = (line.strip() for line in path.read_text().splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def link_key(url: str) -> str:
    """A link's key in the resume file, beside the files' content hashes."""
    return f"link:{url}"
