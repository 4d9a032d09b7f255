"""The Markdown model card for people, rendered from the JSON card."""

from __future__ import annotations

import json
from typing import Any

from services.inference.detectors.lowlevel.card import ModelCard

COLUMNS = (
    "roc_auc",
    "average_precision",
    "accuracy_at_0.5",
    "ece",
    "fake_caught",
    "real_called_fake",
    "uncertain",
)
NOT_VALIDATED = (
    "**This model has not been validated on the outputs of current commercial generators.** "
    "Its held-out metrics are on simulated generators built by its own recipe; any corpus "
    "metrics below are the only measurement on real generator outputs."
)


def number(value: Any) -> str:
    """A metric for a table cell."""
    return "n/a" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)


def metric_table(rows: dict[str, dict[str, Any]]) -> list[str]:
    """A Markdown table: one row per condition or subset."""
    header = [
        "| rows | real | fake | " + " | ".join(COLUMNS) + " |",
        "|" + "---|" * (len(COLUMNS) + 3),
    ]
    return header + [
        f"| {name} | {row['images']['real']} | {row['images']['fake']} | "
        + " | ".join(number(row.get(column)) for column in COLUMNS)
        + " |"
        for name, row in rows.items()
    ]


def metrics_section(title: str, block: dict[str, Any]) -> list[str]:
    """Condition rows and subset rows of one evaluation."""
    lines = [f"### {title}", "", f"Data: `{block.get('data', 'the held-out test split')}`", ""]
    lines += [*metric_table(block["conditions"]), ""]
    for subset, rows in block.get("subsets", {}).items():
        title = f"#### {subset} (all real images + generated images with {subset})"
        lines += [title, "", *metric_table(rows), ""]
    return lines


def facts(title: str, block: dict[str, Any]) -> list[str]:
    """A metrics block without condition rows (latency, size) as a list."""
    return [f"### {title}", "", *[f"- {key}: {number(value)}" for key, value in block.items()], ""]


def summary(card: ModelCard) -> list[str]:
    """File, input, calibration and thresholds in a few lines."""
    crop = card.input.crop_size
    return [
        f"- File: `{card.file}` (sha256 `{card.sha256}`), created {card.created:%Y-%m-%d}",
        f"- Input: {crop}x{crop} native-resolution crops, up to {card.input.max_crops} per "
        "image; image score = sigmoid(mean crop logit / T)",
        f"- Calibration: temperature T = {card.calibration.temperature:.3f}",
        f"- Thresholds: `real` below {card.thresholds.real_below:.3f}, `fake` above "
        f"{card.thresholds.fake_above:.3f}, `uncertain` between ({card.thresholds.target})",
    ]


def markdown_card(card: ModelCard) -> str:
    """The whole Markdown card."""
    lines = [f"# Model card: {card.name}", "", NOT_VALIDATED, "", *summary(card), ""]
    lines += ["## Intended use", "", card.intended_use, ""]
    lines += ["## Known failure modes and limitations", ""]
    lines += [*[f"- {item}" for item in card.limitations], ""]
    lines += ["## Training data, splits and recipe", "", "```json"]
    lines += [json.dumps(card.training, indent=2), "```", "", "## Metrics", ""]
    for title, block in card.metrics.items():
        lines += metrics_section(title, block) if "conditions" in block else facts(title, block)
    return "\n".join(lines) + "\n"
