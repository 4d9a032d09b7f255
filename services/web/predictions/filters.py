"""History filters as the page's form sends them, and as the API wants them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode

from services.web.clients.api import HistoryQuery

VERDICTS = ("fake", "uncertain", "real")


@dataclass(frozen=True, slots=True)
class HistoryFilters:
    """A verdict and a day range (both ends included, in UTC)."""

    verdict: str = ""
    date_from: date | None = None
    date_to: date | None = None

    @property
    def active(self) -> bool:
        """Whether any filter narrows the history."""
        return bool(self.verdict or self.date_from or self.date_to)

    def query(self, *, cursor: str | None, limit: int) -> HistoryQuery:
        """The API query: `created_to` is exclusive, so the last day is included."""
        until = self.date_to + timedelta(days=1) if self.date_to else None
        return HistoryQuery(
            verdict=self.verdict or None,
            created_from=f"{self.date_from.isoformat()}T00:00:00Z" if self.date_from else None,
            created_to=f"{until.isoformat()}T00:00:00Z" if until else None,
            cursor=cursor,
            limit=limit,
        )

    def url(self, *, cursor: str | None = None) -> str:
        """The history page with these filters (and a cursor for a later page)."""
        pairs = {
            "verdict": self.verdict,
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
            "cursor": cursor or "",
        }
        query = urlencode({name: value for name, value in pairs.items() if value})
        return f"/predictions?{query}" if query else "/predictions"


def parse_filters(
    *, verdict: str | None, date_from: str | None, date_to: str | None
) -> HistoryFilters:
    """Filters from the query string; anything unreadable is ignored rather than refused."""
    return HistoryFilters(
        verdict=verdict if verdict in VERDICTS else "",
        date_from=_day(date_from),
        date_to=_day(date_to),
    )


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None
