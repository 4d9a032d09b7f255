"""Rate limits per API key, per user and per IP, on the `limits` library (memory or Redis)."""

from __future__ import annotations

import math
import time
from collections.abc import Mapping

from limits import RateLimitItem, parse
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from services.common.problems import RateLimited


class RateLimiter:
    """Counts requests in named buckets ("anonymous", "user", "api_key", "auth")."""

    def __init__(self, *, storage_uri: str, limits: Mapping[str, str]) -> None:
        async_uri = storage_uri if storage_uri.startswith("async+") else f"async+{storage_uri}"
        self._storage = storage_from_string(async_uri)
        self._strategy = MovingWindowRateLimiter(self._storage)
        self._limits: dict[str, RateLimitItem] = {
            name: parse(rule) for name, rule in limits.items()
        }

    async def hit(self, *, bucket: str, identity: str, cost: int = 1) -> None:
        """Count `cost` requests for `identity`; raise 429 with Retry-After once over the limit."""
        limit = self._limits[bucket]
        if await self._strategy.hit(limit, bucket, identity, cost=cost):
            return
        stats = await self._strategy.get_window_stats(limit, bucket, identity)
        retry_after = max(math.ceil(stats.reset_time - time.time()), 1)
        raise RateLimited(
            f"Rate limit of {limit} exceeded; retry in {retry_after} s.",
            headers={"Retry-After": str(retry_after)},
        )

    async def reset(self) -> None:
        """Forget every count (tests and operators use this)."""
        await self._storage.reset()  # type: ignore[misc]
