"""The API's client for the inference service: HTTP only, with the contract's schemas."""

from __future__ import annotations

import itertools
import time
from typing import Any

import httpx
from pydantic import ValidationError

from services.api.config import ApiSettings
from services.common.contract import Fingerprints, InferenceResult, ModelRef
from services.common.observability import REQUEST_ID_HEADER, current_request_id
from services.common.problems import ProblemError, ServiceUnavailable

SELF_CHECK_FAILED = "urn:deepcatcher:problem:self-check-failed"


class InferenceUnavailable(ServiceUnavailable):
    slug = "inference-unavailable"


class InferenceSelfCheckFailed(InferenceUnavailable):
    """The inference service's self-check at start failed: it gives no verdicts on this machine."""

    title, slug = "Self-check failed", "self-check-failed"


class InferenceRejected(ProblemError):
    """The inference service refused the image itself (a 4xx): that file's own error."""

    slug = "image-rejected"

    def __init__(self, *, status: int, title: str, detail: str | None) -> None:
        super().__init__(detail)
        self.status, self.title = status, title


def create_http_client(
    *,
    timeout_s: float,
    connect_retries: int,
    token: str | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> httpx.AsyncClient:
    """An HTTP client that retries (with backoff) only when a connection cannot be made."""
    return httpx.AsyncClient(
        headers={"Authorization": f"Bearer {token}"} if token else None,
        timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 3.0)),
        transport=transport or httpx.AsyncHTTPTransport(retries=connect_retries),
        event_hooks={"request": [_pass_request_id]},
    )


async def _pass_request_id(request: httpx.Request) -> None:
    request_id = current_request_id()
    if request_id:
        request.headers[REQUEST_ID_HEADER] = request_id


class InferenceClient:
    """Asks the inference service for verdicts and which model it runs."""

    def __init__(
        self,
        *,
        http: httpx.AsyncClient,
        base_urls: list[str],
        retry_after_s: int,
        model_ttl_s: float,
    ) -> None:
        self.http = http
        self.replicas = itertools.cycle([url.rstrip("/") for url in base_urls])
        self.replica_count = len(base_urls)
        self.retry_after_s = retry_after_s
        self.model_ttl_s = model_ttl_s
        self._model: ModelRef | None = None
        self._model_fetched_at = 0.0

    async def current_model(self) -> ModelRef:
        """The model the service runs now (cached briefly; used to reuse stored results)."""
        if self._model is None or time.monotonic() - self._model_fetched_at > self.model_ttl_s:
            body = await self._send("GET", "/v1/models")
            self._model = ModelRef.model_validate(_loaded_model(body))
            self._model_fetched_at = time.monotonic()
        return self._model

    async def predict(self, *, data: bytes, filename: str, mime_type: str) -> InferenceResult:
        """The inference service's verdict on one image."""
        files = {"file": (filename, data, mime_type)}
        body = await self._send("POST", "/v1/predict", files=files)
        try:
            result = InferenceResult.model_validate(body)
        except ValidationError as exc:
            raise self._unavailable("The inference service gave an invalid answer.") from exc
        self._model, self._model_fetched_at = result.model, time.monotonic()
        return result

    async def fingerprint(self, *, data: bytes, filename: str, mime_type: str) -> Fingerprints:
        """The inference service's perceptual hashes of one image (no model runs)."""
        body = await self._send(
            "POST", "/v1/fingerprints", files={"file": (filename, data, mime_type)}
        )
        try:
            return Fingerprints.model_validate(body)
        except ValidationError as exc:
            raise self._unavailable("The inference service gave an invalid answer.") from exc

    async def is_ready(self) -> bool:
        """Whether some replica of the inference service says it is ready."""
        for _ in range(self.replica_count):
            try:
                response = await self.http.get(f"{next(self.replicas)}/readyz", timeout=2.0)
            except httpx.HTTPError:
                continue
            if response.status_code == 200:
                return True
        return False

    async def _send(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self._request_any_replica(method, path, **kwargs)
        return self._body_of(response)

    async def _request_any_replica(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Spread requests round-robin; a replica that refuses connections is skipped."""
        for _ in range(self.replica_count):
            try:
                return await self.http.request(method, f"{next(self.replicas)}{path}", **kwargs)
            except httpx.ConnectTimeout:
                continue
            except httpx.TimeoutException as exc:
                raise self._unavailable("The inference service did not answer in time.") from exc
            except httpx.TransportError:
                continue
        raise self._unavailable("The inference service cannot be reached.")

    def _body_of(self, response: httpx.Response) -> Any:
        # A refused service token is our misconfiguration, not the caller's image: a 503.
        if 400 <= response.status_code < 500 and response.status_code not in {401, 403, 408, 429}:
            problem = _json_or_empty(response)
            raise InferenceRejected(
                status=response.status_code,
                title=str(problem.get("title") or response.reason_phrase),
                detail=problem.get("detail"),
            )
        if response.status_code >= 400:
            if failed := _self_check_failure(response):
                raise failed
            retry_after = response.headers.get("Retry-After", str(self.retry_after_s))
            raise InferenceUnavailable(
                "The inference service is busy or failing.", headers={"Retry-After": retry_after}
            )
        return response.json()

    def _unavailable(self, detail: str) -> InferenceUnavailable:
        return InferenceUnavailable(detail, headers={"Retry-After": str(self.retry_after_s)})


def _json_or_empty(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _self_check_failure(response: httpx.Response) -> InferenceSelfCheckFailed | None:
    """The inference service's failed self-check as the API's own problem, with its detail:
    retrying will not help, so not the generic 'busy or failing'."""
    problem = _json_or_empty(response)
    if response.status_code != 503 or problem.get("type") != SELF_CHECK_FAILED:
        return None
    return InferenceSelfCheckFailed(f"The inference service: {problem.get('detail')}")


def _loaded_model(body: Any) -> Any:
    """The loaded model's entry in a /v1/models answer."""
    if isinstance(body, dict) and isinstance(body.get("models"), list) and body["models"]:
        return body["models"][0]
    return body


def inference_client_for(
    settings: ApiSettings, *, transport: httpx.AsyncBaseTransport | None = None
) -> InferenceClient:
    """The client the settings describe (timeouts, retries, replicas)."""
    http = create_http_client(
        timeout_s=settings.inference_timeout_s,
        connect_retries=settings.inference_connect_retries,
        token=settings.inference_token.get_secret_value() if settings.inference_token else None,
        transport=transport,
    )
    return InferenceClient(
        http=http,
        base_urls=settings.inference_urls,
        retry_after_s=settings.inference_retry_after_s,
        model_ttl_s=settings.model_version_ttl_s,
    )
