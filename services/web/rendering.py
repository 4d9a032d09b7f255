"""Jinja2 pages and partials: one place that knows what every template may use."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from services.common.observability import current_request_id
from services.web.bulk.presenters import ITEM_STATUS_LABELS, JOB_STATUS_LABELS
from services.web.config import WebSettings
from services.web.predictions.reporting import CLAIMS
from services.web.predictions.verdicts import LABELS as VERDICT_LABELS
from services.web.predictions.verdicts import verdict_label
from services.web.reports.presenters import CLAIM_LABELS, STATUS_LABELS
from services.web.security.csrf import CSRF_FIELD, CSRF_HEADER
from services.web.security.sessions import Flash, WebSession

# Words the templates use for API values, so no template spells out a status itself.
LABELS = {
    "report_status_labels": STATUS_LABELS,
    "claim_labels": CLAIM_LABELS,
    "claim_choices": CLAIMS,
    "verdict_labels": VERDICT_LABELS,
    "job_status_labels": JOB_STATUS_LABELS,
    "item_status_labels": ITEM_STATUS_LABELS,
}
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"
FLASHES_TEMPLATE = "layout/_flashes.html"
# One URL answers with a page or, for htmx, a partial: without this a browser's cache could
# hand the partial back as the page (going back to a page that polled, for one).
VARY = {"Vary": "HX-Request, HX-Target"}


def is_htmx(request: Request) -> bool:
    """Whether htmx sent the request and wants a partial (a history restore wants a page)."""
    headers = request.headers
    return headers.get("HX-Request") == "true" and "HX-History-Restore-Request" not in headers


def htmx_target(request: Request) -> str | None:
    """The id of the element an htmx request will swap, if it is one."""
    return request.headers.get("HX-Target") if is_htmx(request) else None


def redirect(request: Request, target: str) -> Response:
    """Send the browser to `target`: htmx follows HX-Redirect, a plain form post a 303."""
    if is_htmx(request):
        return Response(status_code=200, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


class Pages:
    """Renders templates with the context every page shares."""

    def __init__(self, *, settings: WebSettings) -> None:
        self.settings = settings
        self.env = Environment(
            loader=FileSystemLoader(TEMPLATES_DIR),
            autoescape=select_autoescape(["html"]),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters.update(when=format_when, filesize=format_filesize, score=format_score)
        # Pages that hold a raw verdict (a report's prediction) turn it into the badge's words.
        self.env.globals.update(LABELS, verdict_label=verdict_label)
        self.asset_version = static_version()

    def render(
        self,
        request: Request,
        name: str,
        context: Mapping[str, Any] | None = None,
        *,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
    ) -> HTMLResponse:
        """A page, or for htmx a partial (names starting with `_`) plus any flashes out of band."""
        values = self._shared(request) | dict(context or {})
        html = self.env.get_template(name).render(values)
        session = WebSession(request.session)
        if Path(name).name.startswith("_") and is_htmx(request) and session.has_flashes():
            html += self.flashes(values, flashes=session.pop_flashes())
        return HTMLResponse(html, status_code=status_code, headers=VARY | dict(headers or {}))

    def flashes(self, values: Mapping[str, Any], *, flashes: list[Flash]) -> str:
        """The flash region, swapped out of band into the page htmx is on."""
        context = dict(values) | {"flashes": flashes, "oob": True}
        return self.env.get_template(FLASHES_TEMPLATE).render(context)

    def _shared(self, request: Request) -> dict[str, Any]:
        session = WebSession(request.session)
        return {
            "request": request,
            "path": request.url.path,
            "session_user": session.user,
            "csrf_token": session.csrf_token,
            "csrf_field": CSRF_FIELD,
            "csrf_header": CSRF_HEADER,
            "pop_flashes": session.pop_flashes,
            "asset_version": self.asset_version,
            "settings": self.settings,
            "request_id": current_request_id(),
        }


def static_version() -> str:
    """A short hash of the static files, appended to their URLs so browsers refetch changes."""
    digest = hashlib.sha256()
    for path in sorted(STATIC_DIR.rglob("*")):
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def format_when(moment: datetime) -> str:
    """A timestamp people read: `25 Nov 2026, 08:10 UTC`."""
    return moment.astimezone(UTC).strftime("%d %b %Y, %H:%M UTC").lstrip("0")


def format_filesize(size: int) -> str:
    """Bytes in the unit people expect."""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def format_score(score: float) -> str:
    """A 0-1 score with two decimals, the way the thresholds are written."""
    return f"{score:.2f}"
