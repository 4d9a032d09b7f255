"""What an API key may be allowed to do. Sign-in tokens may do everything their user may."""

from __future__ import annotations

import enum


class Scope(enum.StrEnum):
    """One permission an API key can carry."""

    predict = "predict"
    history = "history"
    reports = "reports"
    admin = "admin"


DEFAULT_KEY_SCOPES = (Scope.predict, Scope.history, Scope.reports)
