"""Who is calling: a user, through a sign-in token or an API key."""

from __future__ import annotations

from dataclasses import dataclass

from services.api.auth.models import AccessToken, ApiKey
from services.api.auth.scopes import Scope
from services.api.users.models import Role, User


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller and the credential they used."""

    user: User
    token: AccessToken | None = None
    api_key: ApiKey | None = None

    @property
    def is_admin(self) -> bool:
        """Whether the caller may use admin routes."""
        return self.user.role == Role.admin and self.allows(Scope.admin)

    def allows(self, scope: Scope) -> bool:
        """Whether the credential carries this scope (sign-in tokens carry all)."""
        return self.api_key is None or scope.value in self.api_key.scopes

    @property
    def allows_predict(self) -> bool:
        """Whether the credential may submit images."""
        return self.allows(Scope.predict)

    @property
    def rate_limit_identity(self) -> tuple[str, str]:
        """The bucket and identity this caller's requests are counted under."""
        if self.api_key is not None:
            return "api_key", str(self.api_key.id)
        return "user", str(self.user.id)
