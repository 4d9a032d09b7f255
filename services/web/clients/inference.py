"""The web's client for the inference service: only what needs no account."""

from __future__ import annotations

import httpx

from services.web.clients.errors import ServiceDown, raise_for_problem
from services.web.clients.schemas import ModelInfo, ModelList


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
