"""When and how long to wait before retrying a request the server asked us to repeat later."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Retry 429 and 503 answers (and refused connections) with exponential backoff.

    A `Retry-After` header wins over the backoff; one asking for longer than `max_wait_s` is
    not waited out: the error is raised at once.
    """

    max_retries: int = 3
    backoff_s: float = 0.5
    max_backoff_s: float = 8.0
    max_wait_s: float = 60.0
    statuses: frozenset[int] = frozenset({429, 503})

    def wait_before_retry(self, *, attempt: int, response: httpx.Response | None) -> float | None:
        """Seconds to wait before the retry after `attempt` (0-based), or None to give up."""
        if attempt >= self.max_retries:
            return None
        if response is not None and response.status_code not in self.statuses:
            return None
        asked = retry_after_s(response) if response is not None else None
        if asked is not None:
            return asked if asked <= self.max_wait_s else None
        backoff = min(self.backoff_s * 2.0**attempt, self.max_backoff_s)
        # Full jitter would sometimes not wait at all; half keeps clients from retrying in step.
        return backoff * random.uniform(0.5, 1.0)  # noqa: S311 - not for security


NO_RETRIES = RetryPolicy(max_retries=0)


def retry_after_s(response: httpx.Response) -> float | None:
    """The response's `Retry-After` in seconds (delay or HTTP date), or None."""
    value: str | None = response.headers.get("Retry-After")
    if value is None:
        return None
    if value.strip().isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max((moment - datetime.now(UTC)).total_seconds(), 0.0)
