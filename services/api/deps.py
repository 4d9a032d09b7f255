"""Typed dependencies: everything a route needs, built once in lifespan and reached from here."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, OAuth2PasswordBearer
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from services.api.auth import service as auth_service
from services.api.auth.principal import Principal
from services.api.auth.scopes import Scope
from services.api.clients.inference import InferenceClient
from services.api.config import ApiSettings
from services.api.images.storage import ImageStorage
from services.api.jobs.queue import JobQueue
from services.api.jobs.service import Bulk
from services.api.known_images.follower import IndexFollower
from services.api.known_images.index import FingerprintIndex
from services.api.known_images.service import Indexing
from services.api.links.fetcher import LinkFetcher
from services.api.predictions.coalescing import InflightChecks
from services.api.predictions.service import Detection
from services.api.ratelimit.limiter import RateLimiter
from services.common.problems import Forbidden, Unauthorized

oauth2_scheme = OAuth2PasswordBearer(
    tokenUrl="/v1/auth/token",
    auto_error=False,
    description="A sign-in token from `POST /v1/auth/token`, or an API key, as a bearer token.",
)
api_key_scheme = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="An API key from `POST /v1/api-keys`."
)


@dataclass(slots=True)
class AppState:
    """What lifespan builds: one of each, shared by every request."""

    settings: ApiSettings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    storage: ImageStorage
    inference: InferenceClient
    inflight: InflightChecks
    rate_limiter: RateLimiter
    queue: JobQueue
    known: IndexFollower
    links: LinkFetcher


def get_state(request: Request) -> AppState:
    """The app's shared state."""
    state: AppState = request.app.state.deepcatcher
    return state


StateDep = Annotated[AppState, Depends(get_state)]


def get_settings(state: StateDep) -> ApiSettings:
    """The service's settings."""
    return state.settings


async def get_session(state: StateDep) -> AsyncIterator[AsyncSession]:
    """One session per request; whatever a service did not commit is rolled back."""
    async with state.sessions() as session:
        yield session


SettingsDep = Annotated[ApiSettings, Depends(get_settings)]
SessionDep = Annotated[AsyncSession, Depends(get_session)]


def get_storage(state: StateDep) -> ImageStorage:
    """The image store."""
    return state.storage


def get_rate_limiter(state: StateDep) -> RateLimiter:
    """The rate limiter."""
    return state.rate_limiter


StorageDep = Annotated[ImageStorage, Depends(get_storage)]
RateLimiterDep = Annotated[RateLimiter, Depends(get_rate_limiter)]


def get_detection(state: StateDep, session: SessionDep) -> Detection:
    """Everything predicting needs."""
    return Detection(
        session=session,
        storage=state.storage,
        inference=state.inference,
        inflight=state.inflight,
        settings=state.settings,
        known=state.known.index,
        links=state.links,
    )


DetectionDep = Annotated[Detection, Depends(get_detection)]


def get_bulk(state: StateDep, session: SessionDep) -> Bulk:
    """Everything creating a bulk job needs."""
    return Bulk(
        session=session,
        storage=state.storage,
        queue=state.queue,
        limiter=state.rate_limiter,
        settings=state.settings,
    )


BulkDep = Annotated[Bulk, Depends(get_bulk)]


def get_known_index(state: StateDep) -> FingerprintIndex:
    """This replica's index of known images."""
    return state.known.index


KnownIndexDep = Annotated[FingerprintIndex, Depends(get_known_index)]


def get_inference(state: StateDep) -> InferenceClient:
    """The inference service's client."""
    return state.inference


InferenceDep = Annotated[InferenceClient, Depends(get_inference)]


def get_indexing(state: StateDep) -> Indexing:
    """What turning a stored upload into a known image needs."""
    return Indexing(index=state.known.index, storage=state.storage, inference=state.inference)


IndexingDep = Annotated[Indexing, Depends(get_indexing)]


async def get_optional_principal(
    session: SessionDep,
    settings: SettingsDep,
    bearer: Annotated[str | None, Security(oauth2_scheme)],
    api_key: Annotated[str | None, Security(api_key_scheme)],
) -> Principal | None:
    """The caller, if they sent a credential; a credential that does not work is a 401."""
    credential = bearer or api_key
    if not credential:
        return None
    principal = await auth_service.authenticate(
        session=session, secret_key=settings.secret_key.get_secret_value(), credential=credential
    )
    if principal is None:
        raise Unauthorized(
            "The token or API key is not valid (revoked, expired or unknown).",
            headers=auth_service.BEARER_CHALLENGE,
        )
    return principal


OptionalPrincipal = Annotated[Principal | None, Depends(get_optional_principal)]


def get_principal(principal: OptionalPrincipal) -> Principal:
    """The caller; anonymous callers get a 401."""
    if principal is None:
        raise Unauthorized("Sign in or send an API key.", headers=auth_service.BEARER_CHALLENGE)
    return principal


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


def require_scope(scope: Scope) -> object:
    """A dependency that lets through only credentials carrying `scope`."""

    def check(principal: CurrentPrincipal) -> Principal:
        if not principal.allows(scope):
            raise Forbidden(f"This API key lacks the '{scope.value}' scope.")
        return principal

    return Depends(check)


def get_signed_in(principal: CurrentPrincipal) -> Principal:
    """The caller, signed in with a token: account management is not for API keys."""
    if principal.api_key is not None:
        raise Forbidden("Use a sign-in token for this, not an API key.")
    return principal


def get_admin(principal: CurrentPrincipal) -> Principal:
    """The caller, who must be an admin."""
    if not principal.is_admin:
        raise Forbidden("Admins only.")
    return principal


SignedIn = Annotated[Principal, Depends(get_signed_in)]
Admin = Annotated[Principal, Depends(get_admin)]
Predictor = Annotated[Principal, require_scope(Scope.predict)]
HistoryReader = Annotated[Principal, require_scope(Scope.history)]
Reporter = Annotated[Principal, require_scope(Scope.reports)]
BulkPredictor = Annotated[Principal, require_scope(Scope.predict)]


def client_ip(request: Request) -> str:
    """The caller's IP address (a trusted proxy's X-Forwarded-For: see `forwarded_allow_ips`)."""
    return request.client.host if request.client else "unknown"


ClientIp = Annotated[str, Depends(client_ip)]
