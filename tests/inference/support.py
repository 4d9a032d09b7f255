"""Helpers for the inference tests: readiness, model cards, metrics."""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path
from typing import Any

import httpx

from services.inference.detectors.lowlevel.card import ModelCard, card_path_for, sha256_of
from tests.support.fusion_cards import SELF_CHECK_FAILED


async def wait_until_started(client: httpx.AsyncClient, *, timeout_s: float = 30.0) -> None:
    """Poll /readyz until the service is ready or its self-check at start has failed."""
    async with asyncio.timeout(timeout_s):
        while (response := await client.get("/readyz")).status_code != 200:
            if response.json().get("type") == SELF_CHECK_FAILED:
                return
            await asyncio.sleep(0.02)


async def wait_until_ready(client: httpx.AsyncClient, *, timeout_s: float = 30.0) -> None:
    """Poll /readyz until the model has warmed up."""
    async with asyncio.timeout(timeout_s):
        for _ in itertools.count():
            if (await client.get("/readyz")).status_code == 200:
                return
            await asyncio.sleep(0.02)


def rewrite_card(model_path: Path, **changes: Any) -> None:
    """Change fields of a model's card in place (for cards that must be refused)."""
    card_path = card_path_for(model_path)
    card = ModelCard.model_validate_json(card_path.read_bytes())
    card_path.write_text(card.model_copy(update=changes).model_dump_json())


def copy_model(source: Path, folder: Path, *, name: str) -> Path:
    """A copy of a .keras model under another name, with a matching card."""
    target = folder / f"{name}.keras"
    target.write_bytes(source.read_bytes())
    card = ModelCard.model_validate_json(card_path_for(source).read_bytes())
    fixed = card.model_copy(update={"name": name, "file": target.name, "sha256": sha256_of(target)})
    card_path_for(target).write_text(fixed.model_dump_json())
    return target


def metric_value(text: str, name: str) -> float:
    """The value of an unlabelled sample in Prometheus text output."""
    for line in text.splitlines():
        if line.startswith(f"{name} "):
            return float(line.split()[1])
    raise AssertionError(f"{name} not found in metrics")
