"""The admins' list of known images: search, import a zip, remove."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse

from services.web.check.service import read_uploads
from services.web.clients.errors import ApiProblem
from services.web.deps import AdminAccount, ApiDep, PagesDep, SessionDep
from services.web.rendering import redirect

router = APIRouter(prefix="/admin/known-images", include_in_schema=False)


@router.get("", response_class=HTMLResponse)
async def known_images(
    request: Request,
    pages: PagesDep,
    api: ApiDep,
    admin: AdminAccount,
    q: Annotated[str, Query(max_length=200)] = "",
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> HTMLResponse:
    """Known images, newest first, searched by note or file name."""
    page = await api.known_images(token=admin.token, text=q.strip() or None, cursor=cursor)
    context = {"entries": page.items, "q": q, "next_cursor": page.next_cursor}
    context |= {"refused": None, "rows": []}
    return pages.render(request, "known_images/index.html", context)


@router.post("/import", response_class=HTMLResponse)
async def import_zip(
    request: Request, pages: PagesDep, api: ApiDep, admin: AdminAccount, session: SessionDep
) -> Response:
    """Import a zip with a manifest.csv; a refused import lists each row's error."""
    uploads = await read_uploads((await request.form()).getlist("archive"))
    if not uploads:
        session.flash("Choose a zip file to import.", kind="error")
        return redirect(request, "/admin/known-images")
    try:
        imported = await api.import_known_images(token=admin.token, upload=uploads[0])
    except ApiProblem as refused:
        context: dict[str, Any] = {"entries": [], "q": "", "next_cursor": None}
        context |= {"refused": refused.detail, "rows": refused.extensions.get("items") or []}
        return pages.render(request, "known_images/index.html", context, status_code=422)
    session.flash(f"Imported {imported} known images.")
    return redirect(request, "/admin/known-images")


@router.post("/{entry_id}/remove", response_class=HTMLResponse)
async def remove(
    request: Request,
    entry_id: uuid.UUID,
    api: ApiDep,
    admin: AdminAccount,
    session: SessionDep,
) -> Response:
    """Remove one known image: later checks no longer match it."""
    await api.remove_known_image(token=admin.token, entry_id=entry_id)
    session.flash("Known image removed.")
    return redirect(request, "/admin/known-images")
