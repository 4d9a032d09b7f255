"""Words for report statuses and claims, and the reports page's links."""

from __future__ import annotations

from urllib.parse import urlencode

STATUS_FILTERS = ("open", "confirmed", "rejected")
STATUS_LABELS = {"open": "Waiting for review", "confirmed": "Confirmed", "rejected": "Rejected"}
CLAIM_LABELS = {"real": "says it is real", "fake": "says it is AI-generated"}


def reports_url(*, status: str | None, cursor: str | None = None) -> str:
    """The reports page for a status filter (and a later page)."""
    query = urlencode(
        {name: value for name, value in (("status", status), ("cursor", cursor)) if value}
    )
    return f"/reports?{query}" if query else "/reports"
