"""The synchronous client."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol, TypeVar

import httpx

from deepcatcher_client import _calls as calls
from deepcatcher_client import models
from deepcatcher_client.auth import TokenAuth, auth_for
from deepcatcher_client.errors import ConnectionFailed, JobTimeout, raise_for_problem
from deepcatcher_client.retries import RetryPolicy

T = TypeVar("T")
Item = TypeVar("Item", covariant=True)
RETRYABLE_FAILURES = (httpx.ConnectError, httpx.ConnectTimeout)
USER_AGENT = "deepcatcher-client/0.1.0"


class Page(Protocol[Item]):
    """A page of a listing: its items and the cursor of the next page."""

    @property
    def items(self) -> Sequence[Item]: ...

    @property
    def next_cursor(self) -> str | None: ...


class Client:
    """The Deepcatcher API over HTTP, blocking.

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
        self._http = httpx.Client(
            base_url=base_url,
            auth=auth_for(api_key=api_key, token=token),
            timeout=timeout_s,
            headers={"User-Agent": USER_AGENT},
            **httpx_options,
        )

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connections."""
        self._http.close()

    def _call(self, call: calls.Call[T]) -> T:
        call = call.retry_safe()
        for attempt in range(self.retry.max_retries + 1):
            try:
                response = self._http.send(call.build(self._http))
            except RETRYABLE_FAILURES as exc:
                wait = self.retry.wait_before_retry(attempt=attempt, response=None)
                if wait is None:
                    raise ConnectionFailed(f"cannot reach {self._http.base_url}: {exc}") from exc
            else:
                wait = self.retry.wait_before_retry(attempt=attempt, response=response)
                if wait is None:
                    return call.answer(raise_for_problem(response))
            time.sleep(wait)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _iterate(self, first: calls.Call[Page[Item]]) -> Iterator[Item]:
        page = self._call(first)
        yield from page.items
        while page.next_cursor:
            page = self._call(first.with_params(cursor=page.next_cursor))
            yield from page.items

    def register(self, *, email: str, password: str) -> models.User:
        """Create an account."""
        return self._call(calls.register(email=email, password=password))

    def sign_in(self, *, email: str, password: str) -> models.Token:
        """Exchange an email and password for a token, and use it from now on."""
        token = self._call(calls.sign_in(email=email, password=password))
        self._http.auth = TokenAuth(token.access_token)
        return token

    def sign_out(self) -> None:
        """Revoke the token this client signed in with."""
        self._call(calls.sign_out())

    def me(self) -> models.User:
        """The account behind the credentials."""
        return self._call(calls.me())

    def delete_account(self) -> None:
        """Delete the account and all its data, for good."""
        self._call(calls.delete_account())

    def create_api_key(
        self, *, name: str, scopes: list[models.Scope] | None = None
    ) -> models.ApiKeyCreated:
        """A new API key; its secret (`key`) is in this answer only."""
        return self._call(calls.create_api_key(name=name, scopes=scopes))

    def list_api_keys(self) -> list[models.ApiKey]:
        """The account's API keys, never their secrets."""
        return self._call(calls.list_api_keys())

    def revoke_api_key(self, key_id: uuid.UUID | str) -> None:
        """Make a key stop working at once."""
        self._call(calls.revoke_api_key(key_id))

    def predict(
        self, files: Iterable[calls.FileLike], *, idempotency_key: str | None = None
    ) -> models.PredictionBatch:
        """Check images (paths or (name, bytes) pairs): one item per file, in order."""
        return self._call(calls.predict(files=files, idempotency_key=idempotency_key))

    def check_url(self, url: str, *, idempotency_key: str | None = None) -> models.PredictionBatch:
        """Check the image at a link (an image's address, or a page with an og:image)."""
        return self._call(calls.check_url(url=url, idempotency_key=idempotency_key))

    def predictions(
        self,
        *,
        verdict: models.Verdict | None = None,
        created_from: datetime | None = None,
        created_to: datetime | None = None,
        page_size: int = 100,
    ) -> Iterator[models.PredictionSummary]:
        """Every prediction in history, newest first, fetched a page at a time."""
        first = calls.list_predictions(
            verdict=verdict, created_from=created_from, created_to=created_to, limit=page_size
        )
        return self._iterate(first)

    def get_prediction(self, prediction_id: uuid.UUID | str) -> models.Prediction:
        """One prediction with its evidence."""
        return self._call(calls.get_prediction(prediction_id))

    def delete_prediction(self, prediction_id: uuid.UUID | str) -> None:
        """Remove a prediction from history."""
        self._call(calls.delete_prediction(prediction_id))

    def prediction_image(self, prediction_id: uuid.UUID | str) -> bytes:
        """The bytes of the image a prediction checked."""
        return self._call(calls.prediction_image(prediction_id))

    def report(
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
        return self._call(call)

    def reports(
        self, *, status: models.ReportStatus | None = None, page_size: int = 100
    ) -> Iterator[models.Report]:
        """Every report the credentials may see, newest first."""
        return self._iterate(calls.list_reports(status=status, limit=page_size))

    def get_report(self, report_id: uuid.UUID | str) -> models.Report:
        """One report."""
        return self._call(calls.get_report(report_id))

    def resolve_report(
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
        return self._call(call)

    def feedback_export(self) -> bytes:
        """Confirmed reports as a tar of images and a manifest (admins)."""
        return self._call(calls.feedback_export())

    def submit_job(
        self, files: Iterable[calls.FileLike], *, callback_url: str | None = None
    ) -> models.JobCreated:
        """Start a bulk job (images or zips of them); it is checked in the background."""
        return self._call(calls.submit_job(files=files, callback_url=callback_url))

    def submit_job_links(
        self, urls: Iterable[str], *, callback_url: str | None = None
    ) -> models.JobCreated:
        """Start a bulk job of links (images' or pages' addresses), fetched by the server."""
        return self._call(calls.submit_job_links(urls=urls, callback_url=callback_url))

    def get_job(self, job_id: uuid.UUID | str) -> models.Job:
        """A job's progress and every item's result so far."""
        return self._call(calls.get_job(job_id))

    def jobs(self, *, page_size: int = 100) -> Iterator[models.JobSummary]:
        """Every bulk job, newest first."""
        return self._iterate(calls.list_jobs(limit=page_size))

    def delete_job(self, job_id: uuid.UUID | str) -> None:
        """Forget a job (its predictions stay in history)."""
        self._call(calls.delete_job(job_id))

    def wait_for_job(
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
            job = self.get_job(job_id)
            if on_progress is not None:
                on_progress(job)
            if job.finished:
                return job
            if deadline is not None and time.monotonic() >= deadline:
                raise JobTimeout(f"job {job_id} not finished after {timeout_s} s")
            time.sleep(poll_interval_s)

    def job_results(self, job_id: uuid.UUID | str, **wait: Any) -> list[models.JobItem]:
        """Every item of a job once it is completed (see `wait_for_job` for the options)."""
        return self.wait_for_job(job_id, **wait).items
