"""The API's operations as request descriptions, shared by the sync and async clients."""

from __future__ import annotations

import mimetypes
import os
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Generic, TypeVar

import httpx
from pydantic import BaseModel, TypeAdapter

from deepcatcher_client import models

T = TypeVar("T", covariant=True)
M = TypeVar("M", bound=BaseModel)
FileLike = str | os.PathLike[str] | tuple[str, bytes]
Upload = tuple[str, tuple[str, bytes, str]]
IDEMPOTENCY_HEADER = "Idempotency-Key"


@dataclass(frozen=True, slots=True)
class Call(Generic[T]):
    """One request to make and how to read its successful answer."""

    method: str
    path: str
    answer: Callable[[httpx.Response], T]
    params: Mapping[str, Any] = field(default_factory=dict)
    json: Any = None
    data: Mapping[str, str] | None = None
    files: list[Upload] | None = None
    headers: Mapping[str, str] = field(default_factory=dict)

    def with_params(self, **params: Any) -> Call[T]:
        """The same call with some query parameters changed."""
        return replace(self, params={**self.params, **params})

    def retry_safe(self) -> Call[T]:
        """The call with an Idempotency-Key if it is a POST without one, so retries are safe."""
        if self.method != "POST" or IDEMPOTENCY_HEADER in self.headers:
            return self
        return replace(self, headers={**self.headers, IDEMPOTENCY_HEADER: uuid.uuid4().hex})

    def build(self, http: httpx.Client | httpx.AsyncClient) -> httpx.Request:
        """A fresh request (the body is rebuilt for every attempt)."""
        params = {name: value for name, value in self.params.items() if value is not None}
        return http.build_request(
            self.method,
            self.path,
            params=params,
            json=self.json,
            data=self.data,
            files=self.files,
            headers=dict(self.headers),
        )


def model(kind: type[M]) -> Callable[[httpx.Response], M]:
    """Read the answer as one model."""
    return lambda response: kind.model_validate_json(response.content)


def nothing(response: httpx.Response) -> None:
    """Expect no body (204)."""


def content(response: httpx.Response) -> bytes:
    """The answer's raw bytes."""
    return response.content


def uploads(files: Iterable[FileLike]) -> list[Upload]:
    """Multipart `files` fields from paths or (name, bytes) pairs."""
    fields: list[Upload] = []
    for item in files:
        name, data = item if isinstance(item, tuple) else (Path(item).name, Path(item).read_bytes())
        mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
        fields.append(("files", (name, data, mime)))
    return fields


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def register(*, email: str, password: str) -> Call[models.User]:
    """POST /v1/auth/register."""
    body = {"email": email, "password": password}
    return Call("POST", "/v1/auth/register", model(models.User), json=body)


def sign_in(*, email: str, password: str) -> Call[models.Token]:
    """POST /v1/auth/token."""
    form = {"username": email, "password": password}
    return Call("POST", "/v1/auth/token", model(models.Token), data=form)


def sign_out() -> Call[None]:
    """POST /v1/auth/logout."""
    return Call("POST", "/v1/auth/logout", nothing)


def me() -> Call[models.User]:
    """GET /v1/users/me."""
    return Call("GET", "/v1/users/me", model(models.User))


def delete_account() -> Call[None]:
    """DELETE /v1/users/me."""
    return Call("DELETE", "/v1/users/me", nothing)


def create_api_key(*, name: str, scopes: list[models.Scope] | None) -> Call[models.ApiKeyCreated]:
    """POST /v1/api-keys."""
    body: dict[str, Any] = {"name": name} | ({"scopes": scopes} if scopes else {})
    return Call("POST", "/v1/api-keys", model(models.ApiKeyCreated), json=body)


_API_KEYS = TypeAdapter(list[models.ApiKey])


def list_api_keys() -> Call[list[models.ApiKey]]:
    """GET /v1/api-keys."""
    return Call("GET", "/v1/api-keys", lambda response: _API_KEYS.validate_json(response.content))


def revoke_api_key(key_id: uuid.UUID | str) -> Call[None]:
    """DELETE /v1/api-keys/{id}."""
    return Call("DELETE", f"/v1/api-keys/{key_id}", nothing)


def predict(
    *, files: Iterable[FileLike], idempotency_key: str | None
) -> Call[models.PredictionBatch]:
    """POST /v1/predictions."""
    headers = {IDEMPOTENCY_HEADER: idempotency_key} if idempotency_key else {}
    fields = uploads(files)
    return Call(
        "POST", "/v1/predictions", model(models.PredictionBatch), files=fields, headers=headers
    )


def check_url(*, url: str, idempotency_key: str | None) -> Call[models.PredictionBatch]:
    """POST /v1/predictions with a link."""
    headers = {IDEMPOTENCY_HEADER: idempotency_key} if idempotency_key else {}
    answer = model(models.PredictionBatch)
    return Call("POST", "/v1/predictions", answer, json={"url": url}, headers=headers)


def list_predictions(
    *,
    verdict: models.Verdict | None,
    created_from: datetime | None,
    created_to: datetime | None,
    limit: int,
) -> Call[models.PredictionPage]:
    """GET /v1/predictions (the first page)."""
    params = {"verdict": verdict, "created_from": _iso(created_from), "limit": limit}
    params["created_to"] = _iso(created_to)
    return Call("GET", "/v1/predictions", model(models.PredictionPage), params=params)


def get_prediction(prediction_id: uuid.UUID | str) -> Call[models.Prediction]:
    """GET /v1/predictions/{id}."""
    return Call("GET", f"/v1/predictions/{prediction_id}", model(models.Prediction))


def delete_prediction(prediction_id: uuid.UUID | str) -> Call[None]:
    """DELETE /v1/predictions/{id}."""
    return Call("DELETE", f"/v1/predictions/{prediction_id}", nothing)


def prediction_image(prediction_id: uuid.UUID | str) -> Call[bytes]:
    """GET /v1/predictions/{id}/image."""
    return Call("GET", f"/v1/predictions/{prediction_id}/image", content)


def report(
    *,
    prediction_id: uuid.UUID | str,
    claimed_label: models.Label,
    comment: str,
    source_url: str | None,
) -> Call[models.Report]:
    """POST /v1/predictions/{id}/reports."""
    body = {"claimed_label": claimed_label, "comment": comment, "source_url": source_url}
    path = f"/v1/predictions/{prediction_id}/reports"
    return Call("POST", path, model(models.Report), json=body)


def list_reports(*, status: models.ReportStatus | None, limit: int) -> Call[models.ReportPage]:
    """GET /v1/reports (the first page)."""
    params = {"status": status, "limit": limit}
    return Call("GET", "/v1/reports", model(models.ReportPage), params=params)


def get_report(report_id: uuid.UUID | str) -> Call[models.Report]:
    """GET /v1/reports/{id}."""
    return Call("GET", f"/v1/reports/{report_id}", model(models.Report))


def resolve_report(
    *, report_id: uuid.UUID | str, status: str, resolution_note: str, public_note: str
) -> Call[models.Report]:
    """PATCH /v1/reports/{id} (admins)."""
    body = {"status": status, "resolution_note": resolution_note, "public_note": public_note}
    return Call("PATCH", f"/v1/reports/{report_id}", model(models.Report), json=body)


def submit_job(*, files: Iterable[FileLike], callback_url: str | None) -> Call[models.JobCreated]:
    """POST /v1/jobs."""
    form = {"callback_url": callback_url} if callback_url else None
    return Call("POST", "/v1/jobs", model(models.JobCreated), data=form, files=uploads(files))


def submit_job_links(*, urls: Iterable[str], callback_url: str | None) -> Call[models.JobCreated]:
    """POST /v1/jobs with links."""
    body = {"urls": list(urls), "callback_url": callback_url}
    return Call("POST", "/v1/jobs", model(models.JobCreated), json=body)


def list_jobs(*, limit: int) -> Call[models.JobPage]:
    """GET /v1/jobs (the first page)."""
    return Call("GET", "/v1/jobs", model(models.JobPage), params={"limit": limit})


def get_job(job_id: uuid.UUID | str) -> Call[models.Job]:
    """GET /v1/jobs/{id}."""
    return Call("GET", f"/v1/jobs/{job_id}", model(models.Job))


def delete_job(job_id: uuid.UUID | str) -> Call[None]:
    """DELETE /v1/jobs/{id}."""
    return Call("DELETE", f"/v1/jobs/{job_id}", nothing)


def feedback_export() -> Call[bytes]:
    """GET /v1/admin/feedback-export (admins)."""
    return Call("GET", "/v1/admin/feedback-export", content)
