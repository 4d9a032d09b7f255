"""Every table of the API service, imported in one place for Alembic and tests."""

from services.api.auth.models import AccessToken, ApiKey, SignInThrottle
from services.api.db.base import Base
from services.api.idempotency.models import IdempotencyRecord
from services.api.images.models import Image
from services.api.jobs.models import Job, JobItem
from services.api.known_images.models import KnownImage
from services.api.predictions.models import Prediction
from services.api.reports.models import Report
from services.api.users.models import Role, User

__all__ = [
    "AccessToken",
    "ApiKey",
    "Base",
    "IdempotencyRecord",
    "Image",
    "Job",
    "JobItem",
    "KnownImage",
    "Prediction",
    "Report",
    "Role",
    "SignInThrottle",
    "User",
]
