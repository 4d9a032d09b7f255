"""The inline "Report a wrong result" form: its values, its errors, and what was sent."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace

from deepcatcher_client.models import Report, Verdict

from services.web.clients.api import ApiClient
from services.web.clients.errors import ApiProblem

CLAIMS = {"real": "It is a real photo", "fake": "It is AI-generated or manipulated"}


@dataclass(frozen=True, slots=True)
class ReportForm:
    """The report form's state."""

    claimed_label: str = ""
    comment: str = ""
    source_url: str = ""
    errors: dict[str, str] = field(default_factory=dict)
    sent: Report | None = None
    open: bool = False

    def body(self) -> dict[str, str | None]:
        """What the API's report endpoint takes."""
        return {
            "claimed_label": self.claimed_label,
            "comment": self.comment.strip(),
            "source_url": self.source_url.strip() or None,
        }

    def local_errors(self) -> dict[str, str]:
        """Mistakes caught before asking the API."""
        if self.claimed_label not in CLAIMS:
            return {"claimed_label": "Say what the image really is."}
        return {}


def blank_form(verdict: Verdict) -> ReportForm:
    """A fresh form suggesting the opposite of the verdict it disputes."""
    return ReportForm(claimed_label={"fake": "real", "real": "fake"}.get(verdict, ""))


def api_errors(field_errors: dict[str, str], *, detail: str | None) -> dict[str, str]:
    """The API's validation messages in words, by form field."""
    errors = {
        name: message
        for name, message in field_errors.items()
        if name in ReportForm.__dataclass_fields__
    }
    if "source_url" in errors:
        errors["source_url"] = "Enter a full web address starting with http:// or https://."
    return errors or {"form": detail or "The report could not be sent."}


async def send(
    *, api: ApiClient, token: str, prediction_id: uuid.UUID, form: ReportForm
) -> ReportForm:
    """Send the report; the form comes back sent, or with its errors."""
    errors = form.local_errors()
    if errors:
        return replace(form, errors=errors)
    try:
        sent = await api.report(token=token, prediction_id=prediction_id, body=form.body())
    except ApiProblem as error:
        return replace(form, errors=api_errors(error.field_errors, detail=error.detail))
    return ReportForm(sent=sent, open=True)
