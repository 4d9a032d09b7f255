"""Bulk jobs: upload many images or zips at once, follow a job's progress, delete it."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from services.web.bulk import service
from services.web.bulk.presenters import created_message, job_view, jobs_url
from services.web.bulk.service import BulkForm
from services.web.check.service import read_uploads
from services.web.clients.api import ApiClient
from services.web.deps import (
    Account,
    ApiDep,
    CurrentAccount,
    OptionalAccount,
    PagesDep,
    SessionDep,
    SettingsDep,
)
from services.web.rendering import Pages, htmx_target, is_htmx, redirect

router = APIRouter(prefix="/bulk", include_in_schema=False)
JOB_PARTIALS = {"job-progress": "bulk/_progress.html"}
Cursor = Annotated[str | None, Query(max_length=200)]


@router.get("", response_class=HTMLResponse)
async def index(
    request: Request,
    pages: PagesDep,
    api: ApiDep,
    account: OptionalAccount,
    settings: SettingsDep,
    cursor: Cursor = None,
) -> HTMLResponse:
    """The upload form and the visitor's jobs; anyone not signed in is asked to sign in."""
    context = await _jobs_context(
        api=api, account=account, limit=settings.jobs_page_size, cursor=cursor
    )
    return pages.render(request, "bulk/index.html", context | {"form": BulkForm()})


@router.post("", response_class=HTMLResponse)
async def create(
    request: Request,
    pages: PagesDep,
    api: ApiDep,
    account: CurrentAccount,
    session: SessionDep,
    settings: SettingsDep,
    callback_url: Annotated[str, Form()] = "",
) -> Response:
    """Start a job and open its page; the form comes back saying what to fix, if anything."""
    # Read from the form itself: a browser sends an empty text part when no file was chosen.
    uploads = await read_uploads((await request.form()).getlist("files"))
    outcome = await service.start(
        api=api, token=account.token, uploads=uploads, callback_url=callback_url.strip()
    )
    if isinstance(outcome, BulkForm):
        limit = settings.jobs_page_size
        return await _form_again(
            request, pages=pages, api=api, account=account, form=outcome, limit=limit
        )
    if outcome.callback_secret:
        session.keep_job_secret(job_id=str(outcome.id), secret=outcome.callback_secret)
    session.flash(created_message(outcome))
    return redirect(request, f"/bulk/{outcome.id}")


@router.get("/{job_id}", response_class=HTMLResponse)
async def job(
    request: Request,
    job_id: uuid.UUID,
    pages: PagesDep,
    api: ApiDep,
    account: CurrentAccount,
    session: SessionDep,
) -> HTMLResponse:
    """A job's progress and every image's outcome; htmx polls the progress while it runs."""
    view = job_view(await api.job(token=account.token, job_id=job_id))
    partial = JOB_PARTIALS.get(htmx_target(request) or "")
    context = {
        "view": view,
        "announce": partial is not None and view.finished,
        # Shown on the first full page after creation only: a poll must not use it up.
        "secret": None if partial else session.pop_job_secret(job_id=str(job_id)),
    }
    return pages.render(request, partial or "bulk/job.html", context)


@router.post("/{job_id}/delete")
async def delete(
    job_id: uuid.UUID, api: ApiDep, account: CurrentAccount, session: SessionDep
) -> RedirectResponse:
    """Delete a job (the form asked for confirmation first); its checks stay in history."""
    await api.delete_job(token=account.token, job_id=job_id)
    session.flash("The job was deleted. The checks it made stay in your history.")
    return RedirectResponse("/bulk", status_code=303)


async def _form_again(
    request: Request, *, pages: Pages, api: ApiClient, account: Account, form: BulkForm, limit: int
) -> HTMLResponse:
    """The problem alone for htmx (the chosen files stay chosen), else the whole page."""
    if is_htmx(request):
        return pages.render(request, "bulk/_problem.html", {"form": form}, status_code=form.status)
    context = await _jobs_context(api=api, account=account, limit=limit, cursor=None)
    context["form"] = form
    return pages.render(request, "bulk/index.html", context, status_code=form.status)


async def _jobs_context(
    *, api: ApiClient, account: Account | None, limit: int, cursor: str | None
) -> dict[str, Any]:
    if account is None:
        return {"jobs": [], "next_url": None, "first_page": True}
    page = await api.jobs(token=account.token, cursor=cursor, limit=limit)
    return {
        "jobs": page.items,
        "next_url": jobs_url(cursor=page.next_cursor) if page.next_cursor else None,
        "first_page": cursor is None,
    }
