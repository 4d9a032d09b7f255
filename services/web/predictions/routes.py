"""History, the result page, the checked image, deleting, and reporting a wrong result."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from services.common.problems import NotFound
from services.web.deps import ApiDep, CurrentAccount, PagesDep, SessionDep, SettingsDep
from services.web.predictions import reporting
from services.web.predictions.filters import parse_filters
from services.web.predictions.presenters import history_row, picture_url, result_view
from services.web.predictions.reporting import ReportForm, blank_form
from services.web.predictions.thumbnails import RENDITION_WIDTHS, rendition
from services.web.rendering import htmx_target, is_htmx

router = APIRouter(prefix="/predictions", include_in_schema=False)
HISTORY_PARTIALS = {
    "history-results": "predictions/_results.html",
    "history-more": "predictions/_more.html",
}


@router.get("", response_class=HTMLResponse)
async def history(
    request: Request,
    pages: PagesDep,
    api: ApiDep,
    account: CurrentAccount,
    settings: SettingsDep,
    verdict: str | None = None,
    date_from: Annotated[str | None, Query(alias="from", max_length=10)] = None,
    date_to: Annotated[str | None, Query(alias="to", max_length=10)] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> HTMLResponse:
    """The signed-in visitor's checks, newest first, filtered, a page at a time."""
    filters = parse_filters(verdict=verdict, date_from=date_from, date_to=date_to)
    query = filters.query(cursor=cursor, limit=settings.history_page_size)
    page = await api.history(token=account.token, query=query)
    rows = [history_row(prediction) for prediction in page.items]
    context = {
        "filters": filters,
        "rows": rows,
        "more_rows": rows,
        "next_url": filters.url(cursor=page.next_cursor) if page.next_cursor else None,
        "first_page": cursor is None,
    }
    template = HISTORY_PARTIALS.get(htmx_target(request) or "", "predictions/index.html")
    return pages.render(request, template, context)


@router.get("/{prediction_id}", response_class=HTMLResponse)
async def detail(
    request: Request,
    prediction_id: uuid.UUID,
    pages: PagesDep,
    api: ApiDep,
    account: CurrentAccount,
) -> HTMLResponse:
    """The result page: verdict, evidence, image facts and the report form."""
    prediction = await api.prediction(token=account.token, prediction_id=prediction_id)
    result = result_view(prediction, picture=picture_url(prediction.id, width=960), saved=True)
    context = {"result": result, "report": blank_form(prediction.verdict)}
    return pages.render(request, "predictions/detail.html", context)


@router.get("/{prediction_id}/image")
async def image(
    prediction_id: uuid.UUID,
    api: ApiDep,
    account: CurrentAccount,
    settings: SettingsDep,
    w: int = 320,
) -> Response:
    """The checked image as a JPEG of a width the pages use (any upload format displays)."""
    if w not in RENDITION_WIDTHS:
        raise NotFound("No such image size.")
    original = await api.prediction_image(token=account.token, prediction_id=prediction_id)
    jpeg = await run_in_threadpool(
        rendition, original.content, max_px=w, max_pixels=settings.max_image_pixels
    )
    if jpeg is None:
        raise NotFound("The image cannot be shown.")
    headers = {"Cache-Control": "private, max-age=86400"}
    return Response(jpeg, media_type="image/jpeg", headers=headers)


@router.post("/{prediction_id}/delete", response_class=HTMLResponse)
async def delete(
    request: Request,
    prediction_id: uuid.UUID,
    pages: PagesDep,
    api: ApiDep,
    account: CurrentAccount,
    session: SessionDep,
) -> Response:
    """Delete a check from history (the form asked for confirmation first)."""
    await api.delete_prediction(token=account.token, prediction_id=prediction_id)
    session.flash("The check was deleted from your history.")
    if is_htmx(request):
        return pages.render(request, "predictions/_deleted.html")
    return RedirectResponse("/predictions", status_code=303)


@router.post("/{prediction_id}/reports", response_class=HTMLResponse)
async def report(
    request: Request,
    prediction_id: uuid.UUID,
    pages: PagesDep,
    api: ApiDep,
    account: CurrentAccount,
    session: SessionDep,
    claimed_label: Annotated[str, Form(max_length=10)] = "",
    comment: Annotated[str, Form(max_length=2000)] = "",
    source_url: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Send a report that the verdict is wrong; the form shows what went wrong, if anything."""
    form = ReportForm(
        claimed_label=claimed_label, comment=comment, source_url=source_url, open=True
    )
    form = await reporting.send(
        api=api, token=account.token, prediction_id=prediction_id, form=form
    )
    status = 422 if form.errors else 200
    if is_htmx(request):
        context = {"report": form, "prediction_id": prediction_id}
        return pages.render(request, "predictions/_report.html", context, status_code=status)
    if form.sent is not None:
        session.flash("Thank you. Your report was sent for review.")
        return RedirectResponse(f"/predictions/{prediction_id}#report", status_code=303)
    prediction = await api.prediction(token=account.token, prediction_id=prediction_id)
    result = result_view(prediction, picture=picture_url(prediction.id, width=960), saved=True)
    context = {"result": result, "report": form}
    return pages.render(request, "predictions/detail.html", context, status_code=status)
