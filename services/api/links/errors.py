"""Why a link could not be checked: each a 4xx problem, so nothing is stored."""

from __future__ import annotations

from services.common.problems import PayloadTooLarge, UnprocessableContent, UnsupportedMediaType


class InvalidLink(UnprocessableContent):
    slug = "invalid-link"


class UnsafeLink(UnprocessableContent):
    slug = "unsafe-link"


class LinkUnreachable(UnprocessableContent):
    slug = "link-unreachable"


class LinkTooSlow(UnprocessableContent):
    slug = "link-too-slow"


class TooManyRedirects(UnprocessableContent):
    slug = "too-many-redirects"


class LinkTooLarge(PayloadTooLarge):
    slug = "link-too-large"


class LinkNotAnImage(UnsupportedMediaType):
    slug = "link-not-an-image"


class NoImageOnPage(UnprocessableContent):
    slug = "no-image-on-page"
