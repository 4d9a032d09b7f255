"""Registering and removing users."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.auth.secrets import hash_password
from services.api.config import ApiSettings
from services.api.db.engine import create_engine, create_session_factory
from services.api.images.service import delete_with_orphans
from services.api.images.storage import ImageStorage
from services.api.jobs import repository as jobs_repository
from services.api.predictions import repository as predictions_repository
from services.api.users import repository
from services.api.users.models import Role, User
from services.api.users.schemas import UserCreate
from services.common.problems import Conflict


class EmailTaken(Conflict):
    slug = "email-taken"


def normalise_email(email: str) -> str:
    """Emails compare case-insensitively."""
    return email.strip().lower()


async def register(
    *, session: AsyncSession, email: str, password: str, role: Role = Role.user
) -> User:
    """Create an account; an email can hold only one."""
    email = normalise_email(email)
    if await repository.get_by_email(session=session, email=email):
        raise EmailTaken("An account with this email already exists.")
    try:
        user = await repository.add(
            session=session, email=email, password_hash=hash_password(password), role=role
        )
        await session.commit()
    except IntegrityError as exc:  # a concurrent registration won the race
        await session.rollback()
        raise EmailTaken("An account with this email already exists.") from exc
    return user


async def delete_account(*, session: AsyncSession, storage: ImageStorage, user: User) -> None:
    """Delete a user with everything they own, and the images no one else references."""
    checked = await predictions_repository.image_ids_of_owner(session=session, owner_id=user.id)
    queued = await jobs_repository.image_ids_of_owner(session=session, owner_id=user.id)
    image_ids = {*checked, *queued}
    await delete_with_orphans(session=session, storage=storage, doomed=user, image_ids=image_ids)


async def create_user(*, settings: ApiSettings, email: str, password: str, admin: bool) -> User:
    """Create a user outside any request (for the command line), validated like registration."""
    valid = UserCreate(email=email, password=password)
    engine = create_engine(url=settings.database_url)
    try:
        async with create_session_factory(engine)() as session:
            role = Role.admin if admin else Role.user
            return await register(
                session=session, email=valid.email, password=valid.password, role=role
            )
    finally:
        await engine.dispose()
