"""From a link to the image bytes to check: an image's address, or a page that names one."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from functools import partial
from urllib.parse import unquote, urlsplit

import anyio

from services.api.links.errors import LinkNotAnImage, NoImageOnPage
from services.api.links.fetcher import Fetched, LinkFetcher
from services.api.links.pages import PageFacts, page_facts
from services.api.links.schemas import LinkSource
from services.common.images import EmptyImage, NotAnImage, open_image
from services.common.problems import ProblemError
from services.common.uploads import check_filename

PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml"})
PAGE_STARTS = (b"<!doctype html", b"<html", b"<head", b"<meta")


@dataclass(frozen=True, slots=True)
class LinkedImage:
    """The bytes a link leads to, exactly as served, and where they came from."""

    data: bytes
    filename: str
    source: LinkSource
    declared_size: tuple[int, int] | None = None


async def fetch_image(*, fetcher: LinkFetcher, url: str) -> LinkedImage:
    """The image at a link; for a page, the first image it names (og:image first)."""
    deadline = fetcher.deadline()
    fetched = await fetcher.fetch(url, deadline=deadline)
    if not await _is_page(fetched):
        return LinkedImage(fetched.data, filename_of(fetched.url), _direct(url, fetched))
    facts = await anyio.to_thread.run_sync(
        partial(page_facts, html=_text(fetched), page_url=fetched.url)
    )
    if not facts.images:
        raise NoImageOnPage("The page names no image (og:image, twitter:image or image_src).")
    image = await fetcher.fetch(facts.images[0].url, deadline=deadline)
    if await _is_page(image):
        raise LinkNotAnImage("The page's image address answers with a page, not an image.")
    source = _from_page(url=url, page=fetched, image=image, facts=facts)
    return LinkedImage(image.data, filename_of(image.url), source, _declared(facts))


def size_note(*, linked: LinkedImage, width: int, height: int) -> LinkSource:
    """The source, noting when the page's image is smaller than the page says it is."""
    declared = linked.declared_size
    if declared is None or (width, height) == declared:
        return linked.source
    note = (
        f"The page declares its image as {declared[0]}x{declared[1]} but served {width}x{height}: "
        "a resized copy, whose provenance and detail may differ from the original's."
    )
    return linked.source.model_copy(update={"note": note})


def filename_of(url: str) -> str:
    """A file name for the image: the last part of its address's path, if it is a safe one."""
    name = posixpath.basename(unquote(urlsplit(url).path))
    try:
        return check_filename(name) if name else "link"
    except ProblemError:
        return "link"


async def _is_page(fetched: Fetched) -> bool:
    """A page by its type or its first bytes; bytes that open as an image are never a page."""
    head = fetched.data[:512].lstrip().lower()
    if fetched.media_type not in PAGE_TYPES and not head.startswith(PAGE_STARTS):
        return False
    return not await anyio.to_thread.run_sync(_opens_as_image, fetched.data)


def _opens_as_image(data: bytes) -> bool:
    """Whether the bytes are an image, even one the checks will refuse (a bomb, say)."""
    try:
        open_image(data, max_pixels=2**62).close()
    except (NotAnImage, EmptyImage):
        return False
    except ProblemError:
        return True
    return True


def _text(page: Fetched) -> str:
    try:
        return page.data.decode(page.charset or "utf-8", errors="replace")
    except LookupError:  # a charset Python does not know
        return page.data.decode("utf-8", errors="replace")


def _direct(url: str, fetched: Fetched) -> LinkSource:
    return LinkSource(url=url, image_url=fetched.url)


def _from_page(*, url: str, page: Fetched, image: Fetched, facts: PageFacts) -> LinkSource:
    return LinkSource(
        url=url,
        image_url=image.url,
        page_url=page.url,
        taken_from=facts.images[0].tag,
        candidates=facts.images,
    )


def _declared(facts: PageFacts) -> tuple[int, int] | None:
    if facts.declared_width is None or facts.declared_height is None:
        return None
    return facts.declared_width, facts.declared_height
