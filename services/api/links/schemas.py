"""What a check by link is asked with and what the answer says about where the image came from."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from services.common.validation import RequestModel

PageTag = Literal["og:image", "twitter:image", "image_src"]


class LinkCheck(RequestModel):
    """Check the image at a link: an image's address, or a page that names its image."""

    url: str = Field(
        min_length=1,
        max_length=2048,
        description="An http or https address of an image, or of a page with an og:image.",
        examples=["https://example.org/news/flooded-station"],
    )


class PageImage(BaseModel):
    """An image a page names for itself, and the tag that names it."""

    url: str = Field(examples=["https://example.org/media/station.jpg"])
    tag: PageTag = Field(examples=["og:image"])


class LinkSource(BaseModel):
    """Where a checked image came from: the link, the image fetched, and the page's choices."""

    url: str = Field(
        description="The link as given.", examples=["https://example.org/news/flooded-station"]
    )
    image_url: str = Field(
        description="The address the checked bytes came from, after redirects.",
        examples=["https://example.org/media/station.jpg"],
    )
    page_url: str | None = Field(
        default=None, description="The page the image was taken from, when the link was a page."
    )
    taken_from: PageTag | None = Field(
        default=None, description="The page's tag that named the checked image."
    )
    candidates: list[PageImage] = Field(
        default_factory=list,
        description="Every image the page names, in order; check another by its own link.",
    )
    note: str | None = Field(
        default=None,
        description="A caution about the copy checked, such as a page serving a resized one.",
    )
