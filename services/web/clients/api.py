"""The web's client for the API service: one method per endpoint the pages use."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
from deepcatcher_client.models import (
    ApiKey,
    ApiKeyCreated,
    Job,
    JobCreated,
    JobPage,
    KnownImagePage,
    Prediction,
    PredictionBatch,
    PredictionPage,
    Report,
    ReportPage,
    User,
)
from pydantic import TypeAdapter

from services.web.clients.errors import ServiceDown, raise_for_problem

API_KEYS = TypeAdapter(list[ApiKey])


@dataclass(frozen=True, slots=True)
class Upload:
    """One file to check, as the browser sent it."""

    filename: str
    data: bytes
    content_type: str


@dataclass(frozen=True, slots=True)
class HistoryQuery:
    """Which page of history to fetch."""

    verdict: str | None = None
    created_from: str | None = None
    created_to: str | None = None
    cursor: str | None = None
    limit: int = 12

    def params(self) -> dict[str, str | int]:
        """The query string the API expects, without empty filters."""
        pairs = {
            "verdict": self.verdict,
            "created_from": self.created_from,
            "created_to": self.created_to,
            "cursor": self.cursor,
        }
        return {"limit": self.limit} | {name: value for name, value in pairs.items() if value}


class ApiClient:
    """Calls the API over HTTP with the visitor's token; errors become typed exceptions."""

    def __init__(self, *, http: httpx.AsyncClient) -> None:
        self.http = http

    async def register(self, *, email: str, password: str) -> User:
        """Create an account."""
        body = {"email": email, "password": password}
        return User.model_validate(
            (await self._send("POST", "/v1/auth/register", json=body)).json()
        )

    async def sign_in(self, *, email: str, password: str) -> str:
        """Exchange an email and password for a bearer token."""
        form = {"username": email, "password": password}
        response = await self._send("POST", "/v1/auth/token", data=form)
        return str(response.json()["access_token"])

    async def sign_out(self, *, token: str) -> None:
        """Revoke the token."""
        await self._send("POST", "/v1/auth/logout", token=token)

    async def me(self, *, token: str) -> User:
        """The account behind the token."""
        return User.model_validate((await self._send("GET", "/v1/users/me", token=token)).json())

    async def api_keys(self, *, token: str) -> list[ApiKey]:
        """The account's API keys, newest first."""
        return API_KEYS.validate_python(
            (await self._send("GET", "/v1/api-keys", token=token)).json()
        )

    async def create_api_key(self, *, token: str, name: str) -> ApiKeyCreated:
        """A new API key with its secret, shown this once."""
        response = await self._send("POST", "/v1/api-keys", token=token, json={"name": name})
        return ApiKeyCreated.model_validate(response.json())

    async def revoke_api_key(self, *, token: str, key_id: uuid.UUID) -> None:
        """Revoke one of the account's keys."""
        await self._send("DELETE", f"/v1/api-keys/{key_id}", token=token)

    async def predict(self, *, token: str | None, uploads: list[Upload]) -> PredictionBatch:
        """Check images; saved to history when a token is given."""
        files = [("files", (u.filename, u.data, u.content_type)) for u in uploads]
        response = await self._send("POST", "/v1/predictions", token=token, files=files)
        return PredictionBatch.model_validate(response.json())

    async def check_url(self, *, token: str | None, url: str) -> PredictionBatch:
        """Check the image a link leads to; saved to history when a token is given."""
        response = await self._send("POST", "/v1/predictions", token=token, json={"url": url})
        return PredictionBatch.model_validate(response.json())

    async def history(self, *, token: str, query: HistoryQuery) -> PredictionPage:
        """One page of the account's predictions."""
        response = await self._send("GET", "/v1/predictions", token=token, params=query.params())
        return PredictionPage.model_validate(response.json())

    async def prediction(self, *, token: str, prediction_id: uuid.UUID) -> Prediction:
        """One prediction with its evidence."""
        response = await self._send("GET", f"/v1/predictions/{prediction_id}", token=token)
        return Prediction.model_validate(response.json())

    async def delete_prediction(self, *, token: str, prediction_id: uuid.UUID) -> None:
        """Delete one prediction from history."""
        await self._send("DELETE", f"/v1/predictions/{prediction_id}", token=token)

    async def prediction_image(self, *, token: str, prediction_id: uuid.UUID) -> httpx.Response:
        """The checked image's bytes and type."""
        return await self._send("GET", f"/v1/predictions/{prediction_id}/image", token=token)

    async def report(self, *, token: str, prediction_id: uuid.UUID, body: dict[str, Any]) -> Report:
        """Report a wrong verdict."""
        url = f"/v1/predictions/{prediction_id}/reports"
        return Report.model_validate((await self._send("POST", url, token=token, json=body)).json())

    async def reports(self, *, token: str, status: str | None, cursor: str | None) -> ReportPage:
        """One page of the reports the account may see (admins: everyone's)."""
        params = {name: value for name, value in (("status", status), ("cursor", cursor)) if value}
        response = await self._send("GET", "/v1/reports", token=token, params=params)
        return ReportPage.model_validate(response.json())

    async def resolve_report(
        self, *, token: str, report_id: uuid.UUID, status: str, note: str, public_note: str
    ) -> Report:
        """Confirm or reject a report (admins): a note for the reporter, one shown with matches."""
        body = {"status": status, "resolution_note": note, "public_note": public_note}
        response = await self._send("PATCH", f"/v1/reports/{report_id}", token=token, json=body)
        return Report.model_validate(response.json())

    async def known_images(
        self, *, token: str, text: str | None, cursor: str | None
    ) -> KnownImagePage:
        """One page of known images, newest first (admins)."""
        params = {name: value for name, value in (("q", text), ("cursor", cursor)) if value}
        response = await self._send("GET", "/v1/admin/known-images", token=token, params=params)
        return KnownImagePage.model_validate(response.json())

    async def import_known_images(self, *, token: str, upload: Upload) -> int:
        """Import a zip of known images; how many were added (all or none)."""
        files = {"archive": (upload.filename, upload.data, upload.content_type)}
        url = "/v1/admin/known-images/import"
        return int((await self._send("POST", url, token=token, files=files)).json()["imported"])

    async def remove_known_image(self, *, token: str, entry_id: uuid.UUID) -> None:
        """Remove one known image (admins)."""
        await self._send("DELETE", f"/v1/admin/known-images/{entry_id}", token=token)

    async def create_job(
        self, *, token: str, uploads: list[Upload], callback_url: str | None
    ) -> JobCreated:
        """Start a bulk job; zips are expanded by the API, the callback secret comes once."""
        files = [("files", (u.filename, u.data, u.content_type)) for u in uploads]
        form = {"callback_url": callback_url} if callback_url else {}
        response = await self._send("POST", "/v1/jobs", token=token, files=files, data=form)
        return JobCreated.model_validate(response.json())

    async def jobs(self, *, token: str, cursor: str | None, limit: int) -> JobPage:
        """One page of the account's bulk jobs, newest first."""
        params: dict[str, str | int] = {"limit": limit} | ({"cursor": cursor} if cursor else {})
        response = await self._send("GET", "/v1/jobs", token=token, params=params)
        return JobPage.model_validate(response.json())

    async def job(self, *, token: str, job_id: uuid.UUID) -> Job:
        """One bulk job with every item's result."""
        response = await self._send("GET", f"/v1/jobs/{job_id}", token=token)
        return Job.model_validate(response.json())

    async def delete_job(self, *, token: str, job_id: uuid.UUID) -> None:
        """Forget a bulk job; the checks it made stay in history."""
        await self._send("DELETE", f"/v1/jobs/{job_id}", token=token)

    async def is_ready(self) -> bool:
        """Whether the API answers its readiness probe."""
        try:
            return (await self.http.get("/readyz", timeout=2.0)).status_code == 200
        except httpx.HTTPError:
            return False

    async def _send(
        self, method: str, url: str, *, token: str | None = None, **kwargs: Any
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            response = await self.http.request(method, url, headers=headers, **kwargs)
        except httpx.TimeoutException as exc:
            raise ServiceDown("The API service did not answer in time.") from exc
        except httpx.TransportError as exc:
            raise ServiceDown("The API service cannot be reached.") from exc
        raise_for_problem(response, service="API")
        return response
