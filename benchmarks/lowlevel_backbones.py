"""Low-level backbones compared on validation rows only: the recipe's and the data set's.

    .venv/bin/python benchmarks/lowlevel_backbones.py \
        --model scratch=var/transfer/deepcatcher-scratch.keras \
        --model nsfwjs-mobilenetv2=var/transfer/deepcatcher-nsfwjs.keras

Each model was trained by `deepcatcher train --recipe default --backbone NAME` on one recipe build
and seed. Writes `benchmarks/results/lowlevel-backbones.{json,md}`.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from training.runs import run_evaluation

RESULTS = Path(__file__).parent / "results"
RECIPE_KINDS = ("simulated", "network", "gan", "still")


def _auc(row: dict[str, Any]) -> float:
    return round(float(row["roc_auc"]), 3)


def measure(*, model: Path, recipe: Path, data: Path, workdir: Path) -> dict[str, float]:
    """One model's validation ROC-AUC: recipe rows by kind of fake, data set as built and q75."""
    recipe_rows = run_evaluation(
        data=recipe,
        model=model,
        out=workdir / "recipe",
        split="val",
        group_by=["generator_type"],
        condition=["original"],
        record_as=None,
    )
    data_rows = run_evaluation(
        data=data,
        model=model,
        out=workdir / "data",
        split="val",
        group_by=None,
        condition=["original", "jpeg_q75"],
        record_as=None,
    )
    figures = {"recipe validation, all": _auc(recipe_rows["conditions"]["original"])}
    for kind in RECIPE_KINDS:
        subset = recipe_rows["subsets"].get(f"generator_type={kind}")
        if subset:
            figures[f"recipe validation, {kind}"] = _auc(subset["original"])
    figures["data set validation, as built"] = _auc(data_rows["conditions"]["original"])
    figures["data set validation, JPEG q75"] = _auc(data_rows["conditions"]["jpeg_q75"])
    return figures


def table(results: dict[str, dict[str, float]]) -> str:
    """A Markdown table: one row per figure, one column per backbone."""
    names = list(results)
    rows = list(dict.fromkeys(key for figures in results.values() for key in figures))
    lines = [f"| ROC-AUC | {' | '.join(names)} |", f"| --- |{' --- |' * len(names)}"]
    for row in rows:
        cells = " | ".join(str(results[name].get(row, "-")) for name in names)
        lines.append(f"| {row} | {cells} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    """Measure every --model and write the results."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", action="append", required=True, help="NAME=PATH.keras")
    parser.add_argument(
        "--recipe", type=Path, default=Path("var/training/recipe-default/manifest.jsonl")
    )
    parser.add_argument("--data", type=Path, default=Path("var/data/manifest.jsonl"))
    parser.add_argument("--workdir", type=Path, default=Path("var/evaluation/backbones"))
    args = parser.parse_args()
    results = {}
    for spec in args.model:
        name, path = spec.split("=", 1)
        results[name] = measure(
            model=Path(path), recipe=args.recipe, data=args.data, workdir=args.workdir / name
        )
    (RESULTS / "lowlevel-backbones.json").write_text(json.dumps(results, indent=2) + "\n")
    (RESULTS / "lowlevel-backbones.md").write_text(table(results))
    print(table(results))


if __name__ == "__main__":
    main()
