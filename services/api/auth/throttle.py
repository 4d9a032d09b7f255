"""Per-account sign-in throttling: a lock after wrong passwords that doubles, then expires."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.auth.models import SignInThrottle
from services.common.problems import RateLimited


class SignInLocked(RateLimited):
    slug = "sign-in-locked"


@dataclass(frozen=True, slots=True)
class ThrottlePolicy:
    """How many wrong passwords lock an account's sign-in, and for how long."""

    max_failures: int
    lock_s: int
    max_lock_s: int

    def lock_for(self, failures: int) -> timedelta | None:
        """The lock after this many failures in a row: none, then doubling up to the cap."""
        if failures < self.max_failures:
            return None
        doublings = min(failures - self.max_failures, 32)
        return timedelta(seconds=min(self.lock_s * 2**doublings, self.max_lock_s))


async def check(*, session: AsyncSession, email_hash: str, now: datetime) -> None:
    """Raise 429 with Retry-After while this email's sign-in is locked."""
    query = select(SignInThrottle.locked_until).where(SignInThrottle.email_hash == email_hash)
    locked_until = await session.scalar(query)
    if locked_until is not None and locked_until > now:
        retry_after = max(math.ceil((locked_until - now).total_seconds()), 1)
        raise SignInLocked(
            f"Too many wrong passwords for this account; try again in {retry_after} s.",
            headers={"Retry-After": str(retry_after)},
        )


async def record_failure(
    *, session: AsyncSession, email_hash: str, now: datetime, policy: ThrottlePolicy
) -> None:
    """Count a wrong password (atomically) and lock the email once there are too many."""
    failures = await _count_failure(session=session, email_hash=email_hash, now=now, policy=policy)
    lock = policy.lock_for(failures)
    if lock is not None:
        await session.execute(
            update(SignInThrottle)
            .where(SignInThrottle.email_hash == email_hash)
            .values(locked_until=now + lock)
        )


async def _count_failure(
    *, session: AsyncSession, email_hash: str, now: datetime, policy: ThrottlePolicy
) -> int:
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    # After a quiet spell as long as the longest lock, the count starts again.
    quiet_since = now - timedelta(seconds=policy.max_lock_s)
    failures = case(
        (SignInThrottle.last_failed_at < quiet_since, 1), else_=SignInThrottle.failures + 1
    )
    statement = (
        insert(SignInThrottle)
        .values(email_hash=email_hash, failures=1, last_failed_at=now, locked_until=None)
        .on_conflict_do_update(
            index_elements=[SignInThrottle.email_hash],
            set_={"failures": failures, "last_failed_at": now},
        )
        .returning(SignInThrottle.failures)
    )
    return int((await session.execute(statement)).scalar_one())


async def forget(*, session: AsyncSession, email_hash: str) -> None:
    """Clear the count after a right password."""
    await session.execute(delete(SignInThrottle).where(SignInThrottle.email_hash == email_hash))
