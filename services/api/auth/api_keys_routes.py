"""API keys for third-party integrations."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from services.api.auth import service
from services.api.auth.credentials_first import CredentialsFirstRoute
from services.api.auth.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyOut
from services.api.deps import SessionDep, SettingsDep, SignedIn
from services.common.problems import problem_responses

router = APIRouter(prefix="/v1/api-keys", tags=["api keys"], route_class=CredentialsFirstRoute)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ApiKeyCreated,
    summary="Create an API key",
    description="The whole key is in this answer only; store it now. Only its hash is kept.",
    responses=problem_responses(401, 403, 413, 422),
)
async def create_api_key(
    body: ApiKeyCreate, principal: SignedIn, session: SessionDep, settings: SettingsDep
) -> ApiKeyCreated:
    """Create an API key and show its secret once."""
    api_key, full_key = await service.create_api_key(
        session=session,
        secret_key=settings.secret_key.get_secret_value(),
        user=principal.user,
        name=body.name,
        scopes=body.scopes,
    )
    return ApiKeyCreated(**ApiKeyOut.model_validate(api_key).model_dump(), key=full_key)


@router.get(
    "",
    response_model=list[ApiKeyOut],
    summary="List API keys",
    description="Your API keys, newest first, revoked ones included; never their secrets.",
    responses=problem_responses(401, 403),
)
async def list_api_keys(principal: SignedIn, session: SessionDep) -> list[ApiKeyOut]:
    """List the caller's keys."""
    keys = await service.list_api_keys(session=session, user=principal.user)
    return [ApiKeyOut.model_validate(key) for key in keys]


@router.delete(
    "/{key_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Revoke an API key",
    description="The key stops working at once. Revoking twice is harmless.",
    responses=problem_responses(401, 403, 404),
)
async def revoke_api_key(key_id: uuid.UUID, principal: SignedIn, session: SessionDep) -> None:
    """Revoke one of the caller's keys."""
    await service.revoke_api_key(session=session, user=principal.user, key_id=key_id)
