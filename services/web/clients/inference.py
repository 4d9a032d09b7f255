"""The web's client for the inference service: only what needs no account (the model's card).

The API's answers come through the SDK's models; the inference service has no SDK, so the card's
shape is here: only the fields the About page reads (others are ignored, so the card may grow),
checked against the inference service's OpenAPI schema by tests/web/test_model_card_drift.py.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx
from pydantic import BaseModel, Field

from services.web.clients.errors import ServiceDown, raise_for_problem


class Thresholds(BaseModel):
    """The model's uncertain band."""

    real_below: float
    fake_above: float
    target: str = ""


class InputSpec(BaseModel):
    """What the model looks at."""

    crop_size: int
    max_crops: int


class DetectorInfo(BaseModel):
    """The fused detector that sets verdicts, as `GET /v1/models` reports it."""

    name: str
    views: list[str] = Field(default_factory=list)
    thresholds: Thresholds
    measured: dict[str, Any] = Field(default_factory=dict)
    limitations: list[str] = Field(default_factory=list)


class ModelInfo(BaseModel):
    """The loaded model's card, as the inference service's `GET /v1/models` reports it."""

    name: str
    version: str
    created: datetime
    input: InputSpec
    thresholds: Thresholds
    metrics: dict[str, Any] = Field(default_factory=dict)
    training: dict[str, Any] = Field(default_factory=dict)
    intended_use: str = ""
    limitations: list[str] = Field(default_factory=list)
    ready: bool = True
    detector: DetectorInfo | None = None


class ModelList(BaseModel):
    """The models the inference service serves."""

    models: list[ModelInfo]


class InferenceClient:
    """Reads the loaded model's card from the inference service."""

    def __init__(self, *, http: httpx.AsyncClient) -> None:
        self.http = http

    async def model(self) -> ModelInfo:
        """The model the inference service runs now."""
        try:
            response = await self.http.get("/v1/models")
        except httpx.HTTPError as exc:
            raise ServiceDown("The inference service cannot be reached.") from exc
        if response.status_code in {401, 403}:
            # Our service token is missing or wrong: not something the visitor can sign in to fix.
            raise ServiceDown("The inference service refused this site's service token.")
        raise_for_problem(response, service="inference")
        models = ModelList.model_validate(response.json()).models
        if not models:
            raise ServiceDown("The inference service has no model loaded.")
        return models[0]
