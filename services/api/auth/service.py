"""Signing in and out, resolving credentials, and managing API keys."""

from __future__ import annotations

import hmac
import uuid
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from services.api.auth import repository, throttle
from services.api.auth.models import ApiKey
from services.api.auth.principal import Principal
from services.api.auth.scopes import Scope
from services.api.auth.secrets import (
    hash_password,
    keyed_hash,
    new_access_token,
    new_api_key,
    split_api_key,
    verify_password,
)
from services.api.db.base import utcnow
from services.api.users import repository as users_repository
from services.api.users.models import Role, User
from services.api.users.service import normalise_email
from services.common.problems import BadRequest, Forbidden, NotFound, Unauthorized

# Touching last_used_at on every request would turn every read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)
BEARER_CHALLENGE = {"WWW-Authenticate": "Bearer"}


class InvalidCredentials(Unauthorized):
    slug = "invalid-credentials"


async def sign_in(
    *,
    session: AsyncSession,
    secret_key: str,
    email: str,
    password: str,
    ttl_s: int,
    policy: throttle.ThrottlePolicy,
) -> str:
    """Check a password and issue a new sign-in token; too many wrong ones lock the email."""
    email = normalise_email(email)
    email_hash, now = keyed_hash(secret_key=secret_key, value=email), utcnow()
    await throttle.check(session=session, email_hash=email_hash, now=now)
    user = await users_repository.get_by_email(session=session, email=email)
    if user is None:
        hash_password(password)  # spend the same time as a real check: no account oracle
    if user is None or not verify_password(password=password, password_hash=user.password_hash):
        await throttle.record_failure(
            session=session, email_hash=email_hash, now=now, policy=policy
        )
        await session.commit()
        raise InvalidCredentials("Wrong email or password.", headers=BEARER_CHALLENGE)
    await throttle.forget(session=session, email_hash=email_hash)
    token = new_access_token()
    await repository.add_token(
        session=session,
        user_id=user.id,
        token_hash=keyed_hash(secret_key=secret_key, value=token),
        expires_at=now + timedelta(seconds=ttl_s),
    )
    await session.commit()
    return token


async def sign_out(*, session: AsyncSession, principal: Principal) -> None:
    """Revoke the sign-in token the caller used."""
    if principal.token is None:
        raise BadRequest("Sign out with a sign-in token; revoke API keys with DELETE /v1/api-keys.")
    await repository.revoke_token(session=session, token_id=principal.token.id, when=utcnow())
    await session.commit()


async def authenticate(
    *, session: AsyncSession, secret_key: str, credential: str
) -> Principal | None:
    """The principal behind a sign-in token or API key, or None if it is not valid now."""
    if split_api_key(credential) is not None:
        return await _authenticate_api_key(
            session=session, secret_key=secret_key, credential=credential
        )
    token_hash = keyed_hash(secret_key=secret_key, value=credential)
    token = await repository.get_token(session=session, token_hash=token_hash)
    if token is None or token.revoked_at is not None or token.expires_at <= utcnow():
        return None
    user = await users_repository.get(session=session, user_id=token.user_id)
    return Principal(user=user, token=token) if user else None


async def _authenticate_api_key(
    *, session: AsyncSession, secret_key: str, credential: str
) -> Principal | None:
    prefix, secret = split_api_key(credential) or ("", "")
    api_key = await repository.get_api_key_by_prefix(session=session, prefix=prefix)
    if api_key is None or api_key.revoked_at is not None:
        return None
    expected = keyed_hash(secret_key=secret_key, value=secret)
    if not hmac.compare_digest(expected, api_key.secret_hash):
        return None
    user = await users_repository.get(session=session, user_id=api_key.user_id)
    if user is None:
        return None
    now = utcnow()
    if api_key.last_used_at is None or now - api_key.last_used_at > LAST_USED_RESOLUTION:
        await repository.touch_api_key(session=session, key_id=api_key.id, when=now)
        await session.commit()
    return Principal(user=user, api_key=api_key)


async def create_api_key(
    *, session: AsyncSession, secret_key: str, user: User, name: str, scopes: Sequence[Scope]
) -> tuple[ApiKey, str]:
    """Create an API key and return it with its full secret, which is never stored."""
    if Scope.admin in scopes and user.role != Role.admin:
        raise Forbidden("Only admins can create keys with the admin scope.")
    generated = new_api_key()
    api_key = ApiKey(
        user_id=user.id,
        name=name,
        prefix=generated.prefix,
        secret_hash=keyed_hash(secret_key=secret_key, value=generated.secret),
        scopes=sorted({scope.value for scope in scopes}),
    )
    await repository.add_api_key(session=session, api_key=api_key)
    await session.commit()
    return api_key, generated.full


async def list_api_keys(*, session: AsyncSession, user: User) -> Sequence[ApiKey]:
    """The user's API keys."""
    return await repository.list_api_keys(session=session, user_id=user.id)


async def revoke_api_key(*, session: AsyncSession, user: User, key_id: uuid.UUID) -> None:
    """Revoke one of the user's keys; it stops working at once."""
    api_key = await repository.get_api_key(session=session, user_id=user.id, key_id=key_id)
    if api_key is None:
        raise NotFound("No API key with that id.")
    if api_key.revoked_at is None:
        api_key.revoked_at = utcnow()
        await session.commit()
