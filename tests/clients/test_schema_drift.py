"""The client's models match the API's OpenAPI schema, generated in-process from the app.

Each model's fields (names, types, required or not) are compared with its schema component; a
field added, removed, retyped or made optional on either side fails here. The web reads the
API's answers through these same models, so every one it uses, and each nested in them, must be
among those compared.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
from deepcatcher_client import models
from pydantic import BaseModel

from services.api.jobs.schemas import WebhookPayload as ApiWebhookPayload
from services.api.main import create_app
from tests.conftest import TEST_SECRET

CLIENT_MODELS: dict[str, type[BaseModel]] = {
    "UserOut": models.User,
    "TokenOut": models.Token,
    "ApiKeyOut": models.ApiKey,
    "ApiKeyCreated": models.ApiKeyCreated,
    "ModelRef": models.ModelRef,
    "Signal": models.Signal,
    "ImageOut": models.ImageFacts,
    "PredictionSummary": models.PredictionSummary,
    "LinkSource": models.LinkSource,
    "PageImage": models.PageImage,
    "PredictionOut": models.Prediction,
    "PredictionItem": models.PredictionItem,
    "PredictionBatch": models.PredictionBatch,
    "PredictionPage": models.PredictionPage,
    "JobItemOut": models.JobItem,
    "WebhookOut": models.WebhookState,
    "JobSummary": models.JobSummary,
    "JobOut": models.Job,
    "JobCreated": models.JobCreated,
    "JobPage": models.JobPage,
    "ReportedPrediction": models.ReportedPrediction,
    "ReportOut": models.Report,
    "ReportPage": models.ReportPage,
    "Problem": models.Problem,
    "KnownImageOut": models.KnownImage,
    "KnownImagePage": models.KnownImagePage,
    "ImportItem": models.ImportItem,
    "ImportResult": models.ImportResult,
}
API_NAME_OF = {model.__name__: name for name, model in CLIENT_MODELS.items()}
Schema = dict[str, Any]
WEB = Path(__file__).resolve().parents[2] / "services" / "web"


@pytest.fixture(scope="module")
def openapi() -> Schema:
    from services.api.config import ApiSettings

    settings = ApiSettings(environment="test", secret_key=TEST_SECRET)
    return create_app(settings).openapi()


def shape(node: Schema, *, components: Schema) -> Any:
    """A field's type with names and titles stripped: comparable across the two sides."""
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        target = components.get(name, {})
        if "enum" in target:  # the API's enums are components; the client's are Literals
            return ("enum", tuple(sorted(target["enum"])))
        return ("model", API_NAME_OF.get(name, name))
    if "anyOf" in node:
        options = (shape(option, components=components) for option in node["anyOf"])
        return ("anyOf", tuple(sorted(options, key=repr)))
    if "enum" in node or "const" in node:
        return ("enum", tuple(sorted(node.get("enum", [node.get("const")]))))
    if "prefixItems" in node:  # a tuple
        return ("tuple", tuple(shape(item, components=components) for item in node["prefixItems"]))
    if node.get("type") == "array":
        return ("array", shape(node["items"], components=components))
    return (node.get("type"), node.get("format"))


def fields(schema: Schema, *, components: Schema) -> dict[str, tuple[Any, bool]]:
    """Every field's shape and whether it is required."""
    required = set(schema.get("required", []))
    return {
        name: (shape(node, components=components), name in required)
        for name, node in schema.get("properties", {}).items()
    }


def client_fields(model: type[BaseModel]) -> dict[str, tuple[Any, bool]]:
    """The client model's fields, as the API's schema would describe them."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    return fields(schema, components=schema.get("$defs", {}))


def answer_components(openapi: Schema) -> set[str]:
    """Every component a successful answer uses, directly or nested."""
    components = openapi["components"]["schemas"]
    found: set[str] = set()

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            name = ref.rsplit("/", 1)[-1]
            if ref and name not in found and "enum" not in components[name]:
                found.add(name)
                visit(components[name])
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    for item in openapi["paths"].values():
        for operation in item.values():
            for status, response in operation["responses"].items():
                if status.startswith("2"):
                    visit(response.get("content", {}).get("application/json", {}))
    return found


def test_every_answer_has_a_client_model(openapi: Schema) -> None:
    assert answer_components(openapi) - {"Problem"} <= set(CLIENT_MODELS)
    assert "PredictionBatch" in answer_components(openapi)


@pytest.mark.parametrize("component", sorted(CLIENT_MODELS))
def test_client_model_matches_the_api_schema(openapi: Schema, component: str) -> None:
    components = openapi["components"]["schemas"]
    api = fields(components[component], components=components)
    assert client_fields(CLIENT_MODELS[component]) == api


def test_webhook_payload_matches_what_the_worker_sends() -> None:
    schema = ApiWebhookPayload.model_json_schema(ref_template="#/components/schemas/{model}")
    assert client_fields(models.WebhookPayload) == fields(schema, components=schema["$defs"])


def imported_names(*, module: str) -> set[tuple[str, str]]:
    """(file, name) for each name the web's modules import from `module` or one under it."""
    found = set()
    for path in WEB.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                if node.module == module or node.module.startswith(f"{module}."):
                    found |= {(str(path.relative_to(WEB)), alias.name) for alias in node.names}
            elif isinstance(node, ast.Import):
                found |= {
                    (str(path.relative_to(WEB)), alias.name)
                    for alias in node.names
                    if alias.name == module or alias.name.startswith(f"{module}.")
                }
    return found


def with_nested(model: type[BaseModel]) -> set[type[BaseModel]]:
    """The model and every model its fields hold, however deep."""
    nested = model.model_json_schema().get("$defs", {})
    return {model} | {getattr(models, name) for name in nested if "enum" not in nested[name]}


def test_every_model_the_web_reads_is_checked_against_the_api() -> None:
    read = {getattr(models, name) for _, name in imported_names(module="deepcatcher_client")}
    answers = {item for item in read if isinstance(item, type) and issubclass(item, BaseModel)}
    assert {models.Prediction, models.PredictionBatch, models.Job, models.User} <= answers
    everything = set().union(*(with_nested(model) for model in answers))
    assert everything <= set(CLIENT_MODELS.values())


def test_the_web_keeps_no_copy_of_an_answer_shape() -> None:
    names = set(CLIENT_MODELS) | {model.__name__ for model in CLIENT_MODELS.values()}
    copies = []
    for path in WEB.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef) and node.name in names:
                copies.append(f"{path.relative_to(WEB)}: {node.name}")
    assert copies == []


def test_the_web_talks_to_the_api_over_http_only() -> None:
    assert imported_names(module="services.api") == set()


class DriftedJobItem(BaseModel):
    """JobItem as it would be if the API renamed `score` and made `verdict` required."""

    index: int
    filename: str
    status: models.ItemStatus
    source_url: str | None = None
    prediction_id: str | None = None
    verdict: models.Verdict
    probability: float | None = None
    error: models.Problem | None = None


def test_a_drifted_model_is_caught(openapi: Schema) -> None:
    components = openapi["components"]["schemas"]
    api = fields(components["JobItemOut"], components=components)
    drifted = client_fields(DriftedJobItem)
    assert drifted != api
    assert set(drifted) ^ set(api) == {"score", "probability"}
    assert drifted["verdict"][1] is True and api["verdict"][1] is False
    assert drifted["prediction_id"] != api["prediction_id"]  # uuid format lost
