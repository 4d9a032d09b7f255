"""Registration, sign-in and sign-out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status
from fastapi.security import OAuth2PasswordRequestForm

from services.api.auth import service
from services.api.auth.schemas import TokenOut
from services.api.auth.throttle import ThrottlePolicy
from services.api.deps import ClientIp, RateLimiterDep, SessionDep, SettingsDep, SignedIn
from services.api.users import service as users_service
from services.api.users.schemas import UserCreate, UserOut
from services.common.problems import problem_responses
from services.common.validation import refuse_nul

router = APIRouter(prefix="/v1/auth", tags=["auth"])


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    response_model=UserOut,
    summary="Create an account",
    description="Registers a user with an email and a password of at least 10 characters.",
    responses=problem_responses(409, 413, 422, 429),
)
async def register(
    body: UserCreate, session: SessionDep, limiter: RateLimiterDep, ip: ClientIp
) -> UserOut:
    """Create an account."""
    await limiter.hit(bucket="auth", identity=ip)
    user = await users_service.register(session=session, email=body.email, password=body.password)
    return UserOut.model_validate(user)


@router.post(
    "/token",
    response_model=TokenOut,
    summary="Sign in",
    description=(
        "OAuth2 password flow: send `username` (your email) and `password` as a form. "
        "Returns a bearer token to send as `Authorization: Bearer <token>`. After several "
        "wrong passwords in a row an account's sign-in is locked for a while (429 with "
        "`Retry-After`, even for the right password); each further one doubles the lock."
    ),
    responses=problem_responses(401, 413, 422, 429),
)
async def token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    session: SessionDep,
    settings: SettingsDep,
    limiter: RateLimiterDep,
    ip: ClientIp,
) -> TokenOut:
    """Exchange an email and password for a bearer token."""
    refuse_nul(username=form.username)
    await limiter.hit(bucket="auth", identity=ip)
    access_token = await service.sign_in(
        session=session,
        secret_key=settings.secret_key.get_secret_value(),
        email=form.username,
        password=form.password,
        ttl_s=settings.token_ttl_s,
        policy=ThrottlePolicy(
            max_failures=settings.sign_in_max_failures,
            lock_s=settings.sign_in_lock_s,
            max_lock_s=settings.sign_in_max_lock_s,
        ),
    )
    return TokenOut(access_token=access_token, expires_in=settings.token_ttl_s)


@router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Sign out",
    description="Revokes the bearer token this request was sent with; it stops working at once.",
    responses=problem_responses(401, 403),
)
async def logout(principal: SignedIn, session: SessionDep) -> None:
    """Revoke the caller's token."""
    await service.sign_out(session=session, principal=principal)
