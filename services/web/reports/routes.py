"""The visitor's reports with their status; for admins, the queue to confirm or reject them."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from services.web.deps import AdminAccount, ApiDep, CurrentAccount, PagesDep, SessionDep
from services.web.rendering import is_htmx
from services.web.reports.presenters import STATUS_FILTERS, reports_url

router = APIRouter(prefix="/reports", include_in_schema=False)


@router.get("", response_class=HTMLResponse)
async def reports(
    request: Request,
    pages: PagesDep,
    api: ApiDep,
    account: CurrentAccount,
    status: str | None = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> HTMLResponse:
    """Reports the visitor may see, newest first (admins see everyone's)."""
    chosen = status if status in STATUS_FILTERS else None
    page = await api.reports(token=account.token, status=chosen, cursor=cursor)
    context = {
        "reports": page.items,
        "status": chosen or "",
        "next_url": reports_url(status=chosen, cursor=page.next_cursor)
        if page.next_cursor
        else None,
        "is_admin": account.user.is_admin,
    }
    return pages.render(request, "reports/index.html", context)


@router.post("/{report_id}/resolve", response_class=HTMLResponse)
async def resolve(
    request: Request,
    report_id: uuid.UUID,
    pages: PagesDep,
    api: ApiDep,
    admin: AdminAccount,
    session: SessionDep,
    decision: Annotated[str, Form(pattern="^(confirmed|rejected)$")],
    note: Annotated[str, Form(max_length=2000)] = "",
    public_note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Confirm or reject a report with a private note to the reporter and a public one."""
    report = await api.resolve_report(
        token=admin.token,
        report_id=report_id,
        status=decision,
        note=note.strip(),
        public_note=public_note.strip(),
    )
    session.flash(f"Report on “{report.prediction.filename}” {decision}.")
    if is_htmx(request):
        context = {"report": report, "is_admin": True}
        return pages.render(request, "reports/_report.html", context)
    return RedirectResponse("/reports?status=open", status_code=303)
