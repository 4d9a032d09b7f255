"""The asynchronous client: the same methods as `Client`, awaited."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterable
from datetime import datetime
from types import TracebackType
from typing import Any, TypeVar

import httpx

from deepcatcher_client import _calls as calls
from deepcatcher_client import models
from deepcatcher_client.auth import TokenAuth, auth_for
from deepcatcher_client.client import RETRYABLE_FAILURES, USER_AGENT, Page
from deepcatcher_client.errors import ConnectionFailed, JobTimeout, raise_for_problem
from deepcatcher_client.retries import RetryPolicy

T = TypeVar("T")
Item = TypeVar("Item")


class AsyncClient:
    """The Deepcatcher API over HTTP, with asyncio.

    Authenticate with `api_key=` (an API key), `token=` (a bearer token) or `sign_in()`.
    """

    def __init__(
        self,
        base_url: str,
        *,
        api_key: str | None = None,
        token: str | None = None,
        timeout_s: float = 60.0,
        retry: RetryPolicy | None = None,
        **httpx_options: Any,
    ) -> None:
        self.retry = retry or RetryPolicy()
        self._http = httpx.AsyncClient(
            base_url=base_url,
            auth=auth_for(api_key=api_key, token=token),
            timeout=timeout_s,
            headers={"User-Agent": USER_AGENT},
            **httpx_options,
        )

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connections."""
        await self._http.aclose()

    async def _call(self, call: calls.Call[T]) -> T:
        call = call.retry_safe()
        for attempt in range(self.retry.max_retries + 1):
            try:
                response = await self._http.send(call.build(self._http))
            except RETRYABLE_FAILURES as exc:
                wait = self.retry.wait_before_retry(attempt=attempt, response=None)
                if wait is None:
                    raise ConnectionFailed(f"cannot reach {self._http.base_url}: {exc}") from exc
            else:
                wait = self.retry.wait_before_retry(attempt=attempt, response=response)
                if wait is None:
                    return call.answer(raise_for_problem(response))
            await asyncio.sleep(wait)
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def _iterate(self, first: calls.Call[Page[Item]]) -> AsyncIterator[Item]:
        page = await self._call(first)
        for item in page.items:
            yield item
        while page.next_cursor:
            page = await self._call(first.with_params(cursor=page.next_cursor))
            for item in page.items:
                yield item

    async def register(self, *, email: str, password: str) -> models.User:
        """Create an account."""
        return await self._call(calls.register(email=email, password=password))

    async def sign_in(self, *, email: str, password: str) -> models.Token:
        """Exchange an email and password for a token, and use it from now on."""
        token = await self._call(calls.sign_in(email=email, password=password))
        self._http.auth = TokenAuth(token.access_token)
        return token

    async def sign_out(self) -> None:
        """Revoke the token this client signed in with."""
        await self._call(calls.sign_out())

    async def me(self) -> models.User:
        """The account behind the credentials."""
        return await self._call(calls.me())

    async def delete_account(self) -> None:
        """Delete the account and all its data, for good."""
        await self._call(calls.delete_account())

    async def create_api_key(
        self, *, name: str, scopes: list[models.Scope] | None = None
    ) -> models.ApiKeyCreated:
        """A new API key; its secret (`key`) is in this answer only."""
        return await self._call(calls.create_api_key(name=name, scopes=scopes))

    async def list_api_keys(self) -> list[models.ApiKey]:
        """The account's API keys, never their secrets."""
        return await self._call(calls.list_api_keys())

    async def revoke_api_key(self, key_id: uuid.UUID | str) -> None:
        """Make a key stop working at once."""
        await self._call(calls.revoke_api_key(key_id))

    async def predict(
        self, files: Iterable[calls.FileLike], *, idempotency_key: str | None = None
    ) -> models.PredictionBatch:
        """Check images (paths or (name, bytes) pairs): one item per file, in order."""
        return await self._call(calls.predict(files=files, idempotency_key=idempotency_key))

    async def check_url(
        self, url: str, *, idempotency_key: str | None = None
    ) -> models.PredictionBatch:
        """Check the image at a link (an image's address, or a page with an og:image)."""
        return await self._call(calls.check_url(url=url, idempotency_key=idempotency_key))

    def predictions(
        self,
        *,
        verdict: models.Verdict | None = None,
        created_from: datetime | None = None,
        created_to: datetime | None = None,
        page_size: int = 100,
    ) -> AsyncIterator[models.PredictionSummary]:
        """Every prediction in history, newest first, fetched a page at a time."""
        first = calls.list_predictions(
            verdict=verdict, created_from=created_from, created_to=created_to, limit=page_size
        )
        return self._iterate(first)

    async def get_prediction(self, prediction_id: uuid.UUID | str) -> models.Prediction:
        """One prediction with its evidence."""
        return await self._call(calls.get_prediction(prediction_id))

    async def delete_prediction(self, prediction_id: uuid.UUID | str) -> None:
        """Remove a prediction from history."""
        await self._call(calls.delete_prediction(prediction_id))

    async def prediction_image(self, prediction_id: uuid.UUID | str) -> bytes:
        """The bytes of the image a prediction checked."""
        return await self._call(calls.prediction_image(prediction_id))

    async def report(
        self,
        prediction_id: uuid.UUID | str,
        *,
        claimed_label: models.Label,
        comment: str = "",
        source_url: str | None = None,
    ) -> models.Report:
        """Tell the operators a verdict is wrong."""
        call = calls.report(
            prediction_id=prediction_id,
            claimed_label=claimed_label,
            comment=comment,
            source_url=source_url,
        )
        return await self._call(call)

    def reports(
        self, *, status: models.ReportStatus | None = None, page_size: int = 100
    ) -> AsyncIterator[models.Report]:
        """Every report the credentials may see, newest first."""
        return self._iterate(calls.list_reports(status=status, limit=page_size))

    async def get_report(self, report_id: uuid.UUID | str) -> models.Report:
        """One report."""
        return await self._call(calls.get_report(report_id))

    async def resolve_report(
        self,
        report_id: uuid.UUID | str,
        *,
        status: str,
        resolution_note: str = "",
        public_note: str = "",
    ) -> models.Report:
        """Confirm or reject a report (admins): a note for the reporter, one shown with matches."""
        call = calls.resolve_report(
            report_id=report_id,
            status=status,
            resolution_note=resolution_note,
            public_note=public_note,
        )
        return await self._call(call)

    async def feedback_export(self) -> bytes:
        """Confirmed reports as a tar of images and a manifest (admins)."""
        return await self._call(calls.feedback_export())

    async def submit_job(
        self, files: Iterable[calls.FileLike], *, callback_url: str | None = None
    ) -> models.JobCreated:
        """Start a bulk job (images or zips of them); it is checked in the background."""
        return await self._call(calls.submit_job(files=files, callback_url=callback_url))

    async def submit_job_links(
        self, urls: Iterable[str], *, callback_url: str | None = None
    ) -> models.JobCreated:
        """Start a bulk job of links (images' or pages' addresses), fetched by the server."""
        return await self._call(calls.submit_job_links(urls=urls, callback_url=callback_url))

    async def get_job(self, job_id: uuid.UUID | str) -> models.Job:
        """A job's progress and every item's result so far."""
        return await self._call(calls.get_job(job_id))

    def jobs(self, *, page_size: int = 100) -> AsyncIterator[models.JobSummary]:
        """Every bulk job, newest first."""
        return self._iterate(calls.list_jobs(limit=page_size))

    async def delete_job(self, job_id: uuid.UUID | str) -> None:
        """Forget a job (its predictions stay in history)."""
        await self._call(calls.delete_job(job_id))

    async def wait_for_job(
        self,
        job_id: uuid.UUID | str,
        *,
        poll_interval_s: float = 1.0,
        timeout_s: float | None = None,
        on_progress: Callable[[models.Job], None] | None = None,
    ) -> models.Job:
        """Poll a job until it is completed, calling `on_progress` with every state seen."""
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        while True:
            job = await self.get_job(job_id)
            if on_progress is not None:
                on_progress(job)
            if job.finished:
                return job
            if deadline is not None and time.monotonic() >= deadline:
                raise JobTimeout(f"job {job_id} not finished after {timeout_s} s")
            await asyncio.sleep(poll_interval_s)

    async def job_results(self, job_id: uuid.UUID | str, **wait: Any) -> list[models.JobItem]:
        """Every item of a job once it is completed (see `wait_for_job` for the options)."""
        return (await self.wait_for_job(job_id, **wait)).items
