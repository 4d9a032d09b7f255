"""One detector call at a time per image and model in this process; identical checks share it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from services.common.contract import InferenceResult

Key = tuple[str, str]  # (sha256 of the bytes, model version)


class InflightChecks:
    """Identical checks that arrive together wait for the first one's answer.

    A finished answer stays shareable for `linger_s`: a request that looked for a stored result
    before the first one committed it would otherwise call the detector a second time.
    """

    def __init__(self, *, linger_s: float = 5.0) -> None:
        self.linger_s = linger_s
        self._checks: dict[Key, asyncio.Task[InferenceResult]] = {}

    async def run(
        self, *, key: Key, check: Callable[[], Awaitable[InferenceResult]]
    ) -> tuple[InferenceResult, bool]:
        """The answer for `key` and whether this call ran `check` (False: it shared one)."""
        task = self._checks.get(key)
        leader = task is None
        if task is None:
            task = asyncio.ensure_future(check())
            self._checks[key] = task
            task.add_done_callback(lambda done: self._finished(key, done))
        # Shielded: one caller going away (a closed connection) must not cancel the others' call.
        return await asyncio.shield(task), leader

    def _finished(self, key: Key, task: asyncio.Task[InferenceResult]) -> None:
        if task.cancelled() or task.exception() is not None:
            self._checks.pop(key, None)  # failures are not shared with later callers
            return
        asyncio.get_running_loop().call_later(self.linger_s, self._forget, key, task)

    def _forget(self, key: Key, task: asyncio.Task[InferenceResult]) -> None:
        if self._checks.get(key) is task:
            del self._checks[key]
