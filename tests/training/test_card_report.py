"""The card's Markdown: every table of the bundled card, rendered as it was committed."""

from __future__ import annotations

from pathlib import Path

from services.inference.detectors.fusion import FusionCard
from training.semantic.report import markdown

CARD = Path("models/deepcatcher-fusion.json")


def test_the_bundled_card_renders_to_its_committed_markdown() -> None:
    assert markdown(FusionCard.read(CARD)) == CARD.with_suffix(".md").read_text(encoding="utf-8")


def test_a_table_keeps_its_figures_in_their_columns() -> None:
    card = FusionCard.read(CARD)
    rendered = markdown(card)

    section = rendered.split("## Leave one generator family out")[1].split("\n## ")[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and "---" not in line]
    assert rows[0] == "| family | images | samples | ROC-AUC |"
    families = card.metrics["leave_one_family_out"]
    assert len(rows) == 1 + len(families)
    for row, (name, figures) in zip(rows[1:], families.items(), strict=True):
        assert row.split(" | ")[0] == f"| {name}" and f"| {figures['images']} |" in row
