"""The signed-in user's own account."""

from __future__ import annotations

from fastapi import APIRouter, status

from services.api.auth.credentials_first import CredentialsFirstRoute
from services.api.deps import CurrentPrincipal, SessionDep, SignedIn, StorageDep
from services.api.users import service
from services.api.users.schemas import UserOut
from services.common.problems import problem_responses

router = APIRouter(prefix="/v1/users", tags=["users"], route_class=CredentialsFirstRoute)


@router.get(
    "/me",
    response_model=UserOut,
    summary="Who am I",
    description="The account behind the token or API key this request was sent with.",
    responses=problem_responses(401),
)
async def me(principal: CurrentPrincipal) -> UserOut:
    """The caller's account."""
    return UserOut.model_validate(principal.user)


@router.delete(
    "/me",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete my account",
    description=(
        "Deletes the account with all its predictions, reports, tokens and API keys, and every "
        "image no one else has checked. This cannot be undone."
    ),
    responses=problem_responses(401, 403),
)
async def delete_me(principal: SignedIn, session: SessionDep, storage: StorageDep) -> None:
    """Delete the caller's account and data."""
    await service.delete_account(session=session, storage=storage, user=principal.user)
