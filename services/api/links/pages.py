"""The images an HTML page names for itself: og:image, twitter:image, <link rel=image_src>."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from services.api.links.schemas import PageImage, PageTag

MAX_CANDIDATES = 20
PRIORITY: list[PageTag] = ["og:image", "twitter:image", "image_src"]
META_TAGS: dict[str, PageTag] = {
    "og:image": "og:image",
    "og:image:url": "og:image",
    "og:image:secure_url": "og:image",
    "twitter:image": "twitter:image",
    "twitter:image:src": "twitter:image",
}


@dataclass(slots=True)
class PageFacts:
    """What a page's head says about its image."""

    images: list[PageImage] = field(default_factory=list)
    declared_width: int | None = None
    declared_height: int | None = None


class _EndOfHead(Exception):
    """The page's body began: everything a page says about its image is behind us."""


class _HeadParser(HTMLParser):
    def __init__(self, *, page_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.base: str | None = None  # only a page's first <base href> counts
        self.found: list[tuple[str, PageTag]] = []
        self.sizes: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "body":
            raise _EndOfHead
        if tag == "base" and values.get("href") and self.base is None:
            self.base = urljoin(self.page_url, values["href"].strip())
        elif tag == "meta":
            self._meta(values)
        elif tag == "link" and "image_src" in values.get("rel", "").lower().split():
            self.found.append((values.get("href", ""), "image_src"))

    def _meta(self, values: dict[str, str]) -> None:
        key = (values.get("property") or values.get("name") or "").strip().lower()
        if key in META_TAGS:
            self.found.append((values.get("content", ""), META_TAGS[key]))
        elif key in {"og:image:width", "og:image:height"}:
            self.sizes.setdefault(key, values.get("content", ""))


def page_facts(*, html: str, page_url: str) -> PageFacts:
    """The page's images (absolute http(s) addresses, best first) and its declared size."""
    parser = _HeadParser(page_url=page_url)
    try:
        parser.feed(html)
        parser.close()
    except _EndOfHead:
        pass
    return PageFacts(
        images=_absolute(found=parser.found, base=parser.base or page_url),
        declared_width=_number(parser.sizes.get("og:image:width")),
        declared_height=_number(parser.sizes.get("og:image:height")),
    )


def _absolute(*, found: list[tuple[str, PageTag]], base: str) -> list[PageImage]:
    """og:image first, then twitter:image, then image_src, each in page order, once each."""
    images: dict[str, PageImage] = {}
    for value, tag in sorted(found, key=lambda mention: PRIORITY.index(mention[1])):
        url = urljoin(base, value.strip()) if value.strip() else ""
        if urlsplit(url).scheme in {"http", "https"} and url not in images:
            images[url] = PageImage(url=url, tag=tag)
    return list(images.values())[:MAX_CANDIDATES]


def _number(text: str | None) -> int | None:
    return int(text) if text and text.strip().isdigit() else None
