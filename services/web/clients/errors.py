"""Errors the other services answer with, as exceptions the web's pages know how to show."""

from __future__ import annotations

from typing import Any

import httpx
from deepcatcher_client.models import Problem

from services.common.problems import (
    NotFound,
    ProblemError,
    ServiceUnavailable,
    Unauthorized,
)


class ServiceDown(ServiceUnavailable):
    """The API or inference service cannot be reached, timed out, or failed."""

    slug = "service-unavailable"


class SignInRequired(Unauthorized):
    """The visitor must sign in (again) to see this."""

    slug = "sign-in-required"


class ApiNotFound(NotFound):
    """The API has no such thing, or it belongs to someone else."""


class ApiProblem(ProblemError):
    """The API refused a request (a 4xx other than 401 and 404); its problem says why."""

    def __init__(self, problem: Problem, *, retry_after: str | None = None) -> None:
        headers = {"Retry-After": retry_after} if retry_after else None
        super().__init__(
            problem.detail or problem.title, headers=headers, extensions=problem.model_extra or {}
        )
        self.status, self.title, self.problem = problem.status, problem.title, problem

    @property
    def field_errors(self) -> dict[str, str]:
        """Validation messages by the name of the field they are about."""
        errors: list[dict[str, Any]] = self.extensions.get("errors") or []
        return {
            str(error["loc"][-1]): str(error.get("msg", "")) for error in errors if error.get("loc")
        }


def problem_of(response: httpx.Response) -> Problem:
    """The problem+json body of an error answer, or one made from its status."""
    try:
        return Problem.model_validate(response.json())
    except ValueError:
        return Problem(title=response.reason_phrase or "Error", status=response.status_code)


def raise_for_problem(response: httpx.Response, *, service: str) -> None:
    """Turn an error answer into the exception that shows it best."""
    if response.status_code < 400:
        return
    problem = problem_of(response)
    if response.status_code >= 500:
        raise ServiceDown(
            problem.detail or f"The {service} service is not working right now.",
            headers={"Retry-After": response.headers.get("Retry-After", "10")},
        )
    if response.status_code == 401:
        raise SignInRequired("Please sign in again; your session has ended.")
    if response.status_code == 404:
        raise ApiNotFound(problem.detail or "Not found.")
    raise ApiProblem(problem, retry_after=response.headers.get("Retry-After"))
