"""The home page: check one or many images, with results appearing as each file finishes."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from services.web.check import service
from services.web.deps import ApiDep, OptionalToken, PagesDep, SettingsDep
from services.web.predictions.presenters import ResultView
from services.web.rendering import is_htmx
from services.web.security.headers import policy_showing_images_from

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
async def home(request: Request, pages: PagesDep) -> HTMLResponse:
    """The upload form."""
    return pages.render(request, "check/index.html", {"cards": [], "problem": None})


@router.post("/check", response_class=HTMLResponse)
async def check(
    request: Request,
    pages: PagesDep,
    api: ApiDep,
    token: OptionalToken,
    settings: SettingsDep,
) -> HTMLResponse:
    """Check the uploaded images: the cards alone for htmx, else the page with them."""
    # Read from the form itself: a browser sends an empty text part when no file was chosen.
    uploads = await service.read_uploads((await request.form()).getlist("files"))
    problem = _upload_problem(count=len(uploads), limit=settings.max_files_per_request)
    if problem:
        context = {"cards": [], "problem": problem}
        return pages.render(request, "check/index.html", context, status_code=422)
    cards = await service.check(
        api=api, token=token, uploads=uploads, max_pixels=settings.max_image_pixels
    )
    template = "check/_cards.html" if is_htmx(request) else "check/index.html"
    return pages.render(request, template, {"cards": cards, "problem": None})


@router.post("/check/link", response_class=HTMLResponse)
async def check_link(
    request: Request,
    pages: PagesDep,
    api: ApiDep,
    token: OptionalToken,
    url: Annotated[str, Form(max_length=2048)] = "",
) -> HTMLResponse:
    """Check the image a pasted link leads to; a plain form post, so it works without scripts."""
    link = url.strip()
    if not link:
        problem = "Paste a link to an image or a page."
        context: dict[str, object] = {"cards": [], "problem": problem, "link": ""}
        return pages.render(request, "check/index.html", context, status_code=422)
    card = await service.check_link(api=api, token=token, url=link)
    context = {"cards": [card], "problem": None, "link": link}
    return pages.render(request, "check/index.html", context, headers=_showing(card))


def _showing(card: service.Card) -> dict[str, str]:
    """A policy that lets an unsaved card's picture load from its own address, and no other."""
    picture = card.picture if isinstance(card, ResultView) else None
    parts = urlsplit(picture or "")
    if parts.scheme not in {"http", "https"}:
        return {}
    return {
        "Content-Security-Policy": policy_showing_images_from(f"{parts.scheme}://{parts.netloc}")
    }


def _upload_problem(*, count: int, limit: int) -> str | None:
    if count == 0:
        return "Choose at least one image to check."
    if count > limit:
        return f"Choose at most {limit} images at a time."
    return None
