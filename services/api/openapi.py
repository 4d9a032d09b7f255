"""OpenAPI polish: tag descriptions, and an example request and answer for every operation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel

from services.api.jobs.schemas import JobLinks
from services.api.links.schemas import LinkCheck

TAGS = [
    {"name": "auth", "description": "Create an account, sign in for a bearer token, sign out."},
    {"name": "users", "description": "Your own account: who you are, and deleting it."},
    {
        "name": "api keys",
        "description": "Keys for integrations, with scopes; the secret is shown once.",
    },
    {
        "name": "predictions",
        "description": "Check images and get a verdict with evidence; your history of checks.",
    },
    {
        "name": "bulk jobs",
        "description": "Many images (or zips) checked in the background, with a signed webhook.",
    },
    {"name": "reports", "description": "Tell us a verdict is wrong; admins confirm or reject."},
    {"name": "admin", "description": "Admins only: confirmed reports as training data."},
    {
        "name": "known images",
        "description": "Admins only: images already confirmed as AI or real, matched by PDQ.",
    },
    {"name": "health", "description": "Liveness and readiness probes for orchestrators."},
]

USER_ID = "0f3c6a52-8a0e-4d4b-9d3f-2b1f8f6b7a10"
PREDICTION_ID = "6b1d2e9c-3f47-4a8e-b0c5-9e2a71d4f8b3"
JOB_ID = "a2f94c1e-5b6d-4e7f-8a9b-0c1d2e3f4a5b"
REPORT_ID = "d4e5f6a7-b8c9-4d0e-9f1a-2b3c4d5e6f70"
KEY_ID = "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f"
WHEN = "2026-03-14T09:26:53Z"
CURSOR = "eyJjIjoiMjAyNi0wMy0xNFQwOToyNjo1M1oiLCJpIjoiNmIxZCJ9"
MODEL = {"name": "deepcatcher-default", "version": "5f0c9a…e1"}
IMAGE = {
    "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "mime_type": "image/jpeg",
    "width": 1600,
    "height": 1200,
    "byte_size": 482113,
}
SUMMARY = {
    "id": PREDICTION_ID,
    "created_at": WHEN,
    "filename": "protest.jpg",
    "verdict": "fake",
    "score": 0.93,
    "model": MODEL,
    "image": IMAGE,
    "latency_ms": 182.4,
    "reused": False,
    "image_url": f"/v1/predictions/{PREDICTION_ID}/image",
}
PREDICTION = SUMMARY | {
    "signals": [
        {
            "name": "model",
            "score": 0.93,
            "summary": "The fused detector scores 0.93 (generated above 0.70).",
            "evidence": {"views": {"semantic": 0.95, "lowlevel": 0.81}},
        },
        {
            "name": "provenance",
            "score": None,
            "summary": "No provenance information (no C2PA manifest or generator metadata).",
            "evidence": {},
        },
    ]
}
USER = {"id": USER_ID, "email": "ada@example.org", "role": "user", "created_at": WHEN}
API_KEY = {
    "id": KEY_ID,
    "name": "newsroom CMS plug-in",
    "prefix": "dck_3f9a1c0b7d2e",
    "scopes": ["predict", "history", "reports"],
    "created_at": WHEN,
    "last_used_at": None,
    "revoked_at": None,
}
JOB_SUMMARY = {
    "id": JOB_ID,
    "status": "running",
    "total": 3,
    "done": 1,
    "failed": 1,
    "pending": 1,
    "created_at": WHEN,
    "finished_at": None,
}
UNSUPPORTED = {
    "type": "urn:deepcatcher:problem:unsupported-media-type",
    "title": "Unsupported Media Type",
    "status": 415,
    "detail": "This file is not an image we can read.",
}
JOB_ITEMS = [
    {"index": 0, "filename": "a.jpg", "status": "done", "prediction_id": PREDICTION_ID}
    | {"verdict": "fake", "score": 0.93},
    {"index": 1, "filename": "notes.txt", "status": "error", "error": UNSUPPORTED},
    {"index": 2, "filename": "inside/b.png", "status": "pending"},
]
JOB = JOB_SUMMARY | {"items": JOB_ITEMS, "webhook": None}
RESOLUTION_NOTES = {
    "resolution_note": "Thanks: the RAW file you sent checks out.",
    "public_note": "Original RAW provided by the photographer.",
}
REPORT = {
    "id": REPORT_ID,
    "prediction_id": PREDICTION_ID,
    "reporter_id": USER_ID,
    "claimed_label": "real",
    "comment": "I took this photo myself.",
    "source_url": "https://example.org/a",
    "status": "open",
    "resolver_id": None,
    "resolution_note": None,
    "public_note": None,
    "created_at": WHEN,
    "updated_at": WHEN,
    "resolved_at": None,
    "prediction": {
        "id": PREDICTION_ID,
        "filename": "protest.jpg",
        "verdict": "fake",
        "score": 0.93,
        "model_version": "5f0c9a…e1",
    },
}
UPLOAD = {"files": ["photo.jpg", "render.png"]}
KNOWN_ID = "7e8f9a0b-1c2d-4e3f-8a4b-5c6d7e8f9a0b"
KNOWN = {
    "id": KNOWN_ID,
    "label": "ai",
    "source": "import",
    "note": "Debunked: generated image of a flooded station, March 2026.",
    "filename": "flooded-station.jpg",
    "pdq": "f" * 64,
    "report_id": None,
    "created_by_id": USER_ID,
    "created_at": WHEN,
}


REF = "#/components/schemas/{model}"
# Operations that take a JSON body with links as well as multipart files.
LINK_FORMS: dict[tuple[str, str], type[BaseModel]] = {
    ("POST", "/v1/predictions"): LinkCheck,
    ("POST", "/v1/jobs"): JobLinks,
}


@dataclass(frozen=True, slots=True)
class Example:
    """What one operation's documentation shows: a request body, parameters, an answer."""

    answer: Any = None
    body: Any = None
    parameters: dict[str, Any] = field(default_factory=dict)
    link_body: Any = None


EXAMPLES: dict[tuple[str, str], Example] = {
    ("GET", "/healthz"): Example(answer={"status": "ok"}),
    ("GET", "/readyz"): Example(
        answer={"status": "ready", "checks": {"database": True, "inference": True}}
    ),
    ("POST", "/v1/auth/register"): Example(
        body={"email": "ada@example.org", "password": "correct horse battery"}, answer=USER
    ),
    ("POST", "/v1/auth/token"): Example(
        body={"username": "ada@example.org", "password": "correct horse battery"},
        answer={"access_token": "dct_Jb3…", "token_type": "bearer", "expires_in": 604800},
    ),
    ("POST", "/v1/auth/logout"): Example(),
    ("GET", "/v1/users/me"): Example(answer=USER),
    ("DELETE", "/v1/users/me"): Example(),
    ("GET", "/v1/api-keys"): Example(answer=[API_KEY]),
    ("POST", "/v1/api-keys"): Example(
        body={"name": "newsroom CMS plug-in", "scopes": ["predict", "history"]},
        answer=API_KEY | {"scopes": ["predict", "history"], "key": "dck_3f9a1c0b7d2e_q1…"},
    ),
    ("DELETE", "/v1/api-keys/{key_id}"): Example(parameters={"key_id": KEY_ID}),
    ("POST", "/v1/predictions"): Example(
        body=UPLOAD,
        link_body={"url": "https://example.org/news/flooded-station"},
        parameters={"Idempotency-Key": "upload-42"},
        answer={
            "saved": True,
            "items": [
                {"index": 0, "filename": "photo.jpg", "status": "ok", "prediction": PREDICTION},
                {"index": 1, "filename": "render.png", "status": "error", "error": UNSUPPORTED},
            ],
        },
    ),
    ("GET", "/v1/predictions"): Example(
        parameters={
            "verdict": "fake",
            "created_from": "2026-03-01T00:00:00Z",
            "created_to": "2026-04-01T00:00:00Z",
            "cursor": CURSOR,
            "limit": 20,
        },
        answer={"items": [SUMMARY], "next_cursor": CURSOR},
    ),
    ("GET", "/v1/predictions/{prediction_id}"): Example(
        parameters={"prediction_id": PREDICTION_ID}, answer=PREDICTION
    ),
    ("DELETE", "/v1/predictions/{prediction_id}"): Example(
        parameters={"prediction_id": PREDICTION_ID}
    ),
    ("GET", "/v1/predictions/{prediction_id}/image"): Example(
        parameters={"prediction_id": PREDICTION_ID}
    ),
    ("POST", "/v1/jobs"): Example(
        body={"files": ["archive.zip"], "callback_url": "https://example.org/deepcatcher-hook"},
        link_body={
            "urls": ["https://example.org/news/flooded-station", "https://example.org/a.jpg"],
            "callback_url": "https://example.org/deepcatcher-hook",
        },
        answer=JOB_SUMMARY
        | {"status": "queued", "done": 0, "failed": 0, "pending": 3}
        | {"items": [], "webhook": None, "callback_secret": "4c1f…9a"},
    ),
    ("GET", "/v1/jobs"): Example(
        parameters={"cursor": CURSOR, "limit": 20},
        answer={"items": [JOB_SUMMARY], "next_cursor": None},
    ),
    ("GET", "/v1/jobs/{job_id}"): Example(parameters={"job_id": JOB_ID}, answer=JOB),
    ("DELETE", "/v1/jobs/{job_id}"): Example(parameters={"job_id": JOB_ID}),
    ("POST", "/v1/predictions/{prediction_id}/reports"): Example(
        parameters={"prediction_id": PREDICTION_ID},
        body={"claimed_label": "real", "comment": "I took this photo myself."}
        | {"source_url": "https://example.org/a"},
        answer=REPORT,
    ),
    ("GET", "/v1/reports"): Example(
        parameters={"status": "open", "cursor": CURSOR, "limit": 20},
        answer={"items": [REPORT], "next_cursor": None},
    ),
    ("GET", "/v1/reports/{report_id}"): Example(parameters={"report_id": REPORT_ID}, answer=REPORT),
    ("PATCH", "/v1/reports/{report_id}"): Example(
        parameters={"report_id": REPORT_ID},
        body={"status": "confirmed"} | RESOLUTION_NOTES,
        answer=REPORT
        | {"status": "confirmed", "resolver_id": USER_ID, "resolved_at": WHEN}
        | RESOLUTION_NOTES,
    ),
    ("GET", "/v1/admin/feedback-export"): Example(),
    ("GET", "/v1/admin/known-images"): Example(
        parameters={"label": "ai", "q": "station", "cursor": CURSOR, "limit": 20},
        answer={"items": [KNOWN], "next_cursor": None},
    ),
    ("POST", "/v1/admin/known-images/import"): Example(
        body={"archive": "known.zip"},
        answer={
            "imported": 1,
            "items": [{"index": 0, "file": "flooded-station.jpg", "status": "ok", "entry": KNOWN}],
        },
    ),
    ("DELETE", "/v1/admin/known-images/{entry_id}"): Example(parameters={"entry_id": KNOWN_ID}),
}


def _annotate(operation: dict[str, Any], example: Example) -> None:
    for parameter in operation.get("parameters", []):
        if parameter["name"] in example.parameters:
            parameter["example"] = example.parameters[parameter["name"]]
    for media_type, media in operation.get("requestBody", {}).get("content", {}).items():
        link_form = media_type == "application/json" and example.link_body is not None
        media["example"] = example.link_body if link_form else example.body
    for status, response in operation["responses"].items():
        media = response.get("content", {}).get("application/json")
        if status.startswith("2") and media is not None and example.answer is not None:
            media["example"] = example.answer


def _add_link_forms(schema: dict[str, Any]) -> None:
    """Document the JSON link form beside the multipart upload of each operation taking both."""
    components = schema["components"]["schemas"]
    for (method, path), model in LINK_FORMS.items():
        body = schema["paths"][path][method.lower()]["requestBody"]
        body["required"] = True
        multipart = body["content"]["multipart/form-data"]["schema"]["$ref"]
        upload = components[multipart.rsplit("/")[-1]]
        files = upload["properties"]["files"]
        files.update(files.pop("anyOf")[0])  # optional in code only so a JSON body may come
        upload["required"] = ["files"]
        components[model.__name__] = model.model_json_schema(ref_template=REF)
        body["content"]["application/json"] = {"schema": {"$ref": REF.format(model=model.__name__)}}


def add_examples_and_tags(app: FastAPI) -> None:
    """Give the app's OpenAPI document the tags' descriptions and every operation's example."""
    original: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = original()
        schema["tags"] = TAGS
        _add_link_forms(schema)
        for path, item in schema["paths"].items():
            for method, operation in item.items():
                example = EXAMPLES.get((method.upper(), path))
                if example is not None:
                    _annotate(operation, example)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
