"""Starting bulk jobs through the API, with what went wrong put in words for the upload form."""

from __future__ import annotations

from dataclasses import dataclass, field

from deepcatcher_client.models import JobCreated

from services.web.clients.api import ApiClient, Upload
from services.web.clients.errors import ApiProblem, ServiceDown

NO_FILES = "Choose at least one image or zip archive."
QUEUE_DOWN = (
    "Bulk checking is unavailable right now, so no job was started and nothing was saved. "
    "Please try again in a minute."
)
BAD_CALLBACK = (
    "The callback URL must be a public http:// or https:// address that Deepcatcher can reach."
)
CALLBACK_PROBLEM = "urn:deepcatcher:problem:unsafe-callback-url"


@dataclass(frozen=True, slots=True)
class BulkForm:
    """The upload form: what to show again, what went wrong, and the status to answer with."""

    callback_url: str = ""
    errors: dict[str, str] = field(default_factory=dict)
    status: int = 200


async def start(
    *, api: ApiClient, token: str, uploads: list[Upload], callback_url: str
) -> JobCreated | BulkForm:
    """Start a job, or hand the form back saying what to fix."""
    if not uploads:
        return BulkForm(callback_url=callback_url, errors={"files": NO_FILES}, status=422)
    try:
        return await api.create_job(token=token, uploads=uploads, callback_url=callback_url or None)
    except ServiceDown:
        return BulkForm(callback_url=callback_url, errors={"form": QUEUE_DOWN}, status=503)
    except ApiProblem as error:
        return BulkForm(callback_url=callback_url, errors=_errors(error), status=error.status)


def _errors(error: ApiProblem) -> dict[str, str]:
    """A refused callback URL is the URL field's problem; anything else is the files'."""
    if error.problem.type == CALLBACK_PROBLEM or "callback_url" in error.field_errors:
        return {"callback_url": BAD_CALLBACK}
    return {"files": error.detail or error.title}
