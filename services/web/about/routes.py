"""About the detector: the loaded model's card, written for people."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from services.web.about.presenters import card_view
from services.web.deps import InferenceDep, PagesDep

router = APIRouter(include_in_schema=False)


@router.get("/about", response_class=HTMLResponse)
async def about(request: Request, pages: PagesDep, inference: InferenceDep) -> HTMLResponse:
    """What the detector is, how well it was measured to work, and where it fails."""
    model = await inference.model()
    return pages.render(request, "about/index.html", {"card": card_view(model)})
