"""The fused detector's card as Markdown: data, choices, held-out figures, failures included."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from services.inference.detectors.fusion import FusionCard
from training.semantic.fit import MAX_VARIANT_DROP

CONDITION_COLUMNS = (
    ("roc_auc_fused", "ROC-AUC fused"),
    ("roc_auc_semantic", "semantic"),
    ("roc_auc_lowlevel", "low-level"),
    ("ai_called_fake", "AI called fake"),
    ("real_called_fake", "real called fake"),
    ("real_uncertain", "real uncertain"),
    ("ai_uncertain", "AI uncertain"),
)


def markdown(card: FusionCard) -> str:
    """Every figure of the card, as tables people can read."""
    metrics = card.metrics
    sections = [
        _header(card),
        _conditions("Test split (never used for any choice)", metrics.get("test", {})),
        _conditions(
            "Validation split (calibration, fusion and thresholds)", metrics.get("validation", {})
        ),
        _accusations(metrics.get("false_accusations", {})),
        _kinds(metrics.get("real_kinds", {}).get("test", {})),
        _families(metrics.get("leave_one_family_out", {})),
        _groups(metrics.get("test_groups", {})),
        _search(metrics.get("search", {}).get("head", {})),
        _variant_drops(metrics.get("search", {}).get("variant_drop", {})),
        _test_time_views(metrics.get("search", {}).get("test_time_views", {})),
        _layers(metrics.get("layer_tokens", {})),
        _dataset(card.training.get("dataset", {})),
    ]
    return "\n\n".join(sections) + "\n"


NUMERICS_WORDS = {
    "int8": "the INT8 file as onnxruntime picks its kernels",
    "int8-exact": "the INT8 file with exact integer products",
    "fp32": "FP32 with weights dequantised from the INT8 file (the same features on every CPU)",
}


def _header(card: FusionCard) -> str:
    semantic, band = card.semantic, card.thresholds
    weights = ", ".join(f"{name} {weight:.3f}" for name, weight in card.weights.items())
    return "\n".join(
        [
            f"# Fused detector card: {card.name}",
            "",
            f"Created {card.created:%Y-%m-%d}. Semantic view: {semantic.backbone.upstream}, from "
            f"`{semantic.backbone.package}=={semantic.backbone.version}` "
            f"(`{semantic.backbone.resource}`, sha256 `{semantic.backbone.sha256}`), computed "
            f"as {NUMERICS_WORDS[semantic.backbone.numerics]}; head on "
            f"`{semantic.feature}` of the view(s) {', '.join(semantic.views)}, temperature "
            f"{semantic.calibration.temperature:.3f}. Fusion weights (on each view's "
            f"temperature-scaled logit): {weights}; bias {card.bias:.3f}.",
            "",
            f"Verdict thresholds: `real` below {band.real_below:.3f}, `fake` above "
            f"{band.fake_above:.3f}. Chosen by: {band.target}.",
            *_small_images(card),
        ]
    )


def _small_images(card: FusionCard) -> list[str]:
    small = card.small_images
    if small is None:
        return []
    weights = ", ".join(f"{name} {weight:.3f}" for name, weight in small.weights.items())
    band = small.thresholds
    return [
        "",
        f"Small images (long side under {small.long_side_below} px) take their own fusion, "
        f"fitted on validation's small images: {weights}; bias {small.bias:.3f}; `real` below "
        f"{band.real_below:.3f}, `fake` above {band.fake_above:.3f}.",
    ]


def _accusations(found: dict[str, dict[str, dict[str, Any]]]) -> str:
    return _table(
        "Real images called fake, with 95% intervals",
        "An image is a source photo or one of its camera and scanner variants. The exact "
        "interval treats images as independent; the by-source one resamples source photos, "
        "since variants of one photo share its content.",
        header=["split", "when", "images", "sources", "called fake", "rate", "exact", "by source"],
        align="llrrrrll",
        rows=[
            [
                split,
                when.replace("_", " "),
                row.get("images"),
                row.get("sources"),
                row.get("accused"),
                _cell(row.get("rate"), percent=True),
                _interval(row.get("interval_exact")),
                _interval(row.get("interval_by_source")),
            ]
            for split, rows in found.items()
            for when, row in rows.items()
        ],
    )


def _interval(bounds: object) -> str:
    if not isinstance(bounds, list | tuple):
        return "-"
    return f"{bounds[0]:.1%} to {bounds[1]:.1%}"


def _kinds(rows: dict[str, dict[str, Any]]) -> str:
    return _table(
        "Test split: real images called fake per kind (under any condition)",
        header=["kind", "images", "sources", "called fake", "rate", "by source"],
        align="lrrrrl",
        rows=[
            [
                kind,
                row.get("images"),
                row.get("sources"),
                row.get("accused"),
                _cell(row.get("rate"), percent=True),
                _interval(row.get("interval_by_source")),
            ]
            for kind, row in rows.items()
        ],
    )


def _test_time_views(rows: dict[str, dict[str, float]]) -> str:
    return _table(
        "Test-time views (validation, images of 320 px or more)",
        "The head's mean logit over each set of views; the set catching most AI images at the "
        "1% band was chosen (fewer views on a tie).",
        header=["views", "ROC-AUC", "AI called fake"],
        align="lrr",
        rows=[
            [name, f"{row['roc_auc']:.4f}", f"{row['ai_called_fake']:.1%}"]
            for name, row in rows.items()
        ],
    )


def _layers(rows: dict[str, dict[str, float]]) -> str:
    return _table(
        "Intermediate-layer class tokens (RINE)",
        "Heads on the whole view's class tokens after the named encoder blocks, fitted on "
        "train, scored on validation. The served head is chosen in the head search above, "
        "where `layer_tokens` means all twelve blocks.",
        header=["blocks", "ROC-AUC", "AI called fake at 1% real"],
        align="lrr",
        rows=[
            [name, f"{row['roc_auc']:.4f}", f"{row['ai_called_fake_at_1pct']:.1%}"]
            for name, row in rows.items()
        ],
    )


def _conditions(title: str, rows: dict[str, dict[str, Any]]) -> str:
    return _table(
        title,
        header=["condition", "AI", "real", *(label for _, label in CONDITION_COLUMNS)],
        align="l" * (len(CONDITION_COLUMNS) + 3),
        rows=[
            [
                name,
                row.get("ai"),
                row.get("real"),
                *(
                    _cell(row.get(key), percent=not key.startswith("roc"))
                    for key, _ in CONDITION_COLUMNS
                ),
            ]
            for name, row in rows.items()
        ],
    )


def _cell(value: object, *, percent: bool) -> str:
    if not isinstance(value, int | float):
        return "-"
    return f"{value:.1%}" if percent else f"{value:.3f}"


def _families(rows: dict[str, dict[str, Any]]) -> str:
    return _table(
        "Leave one generator family out (families with 10 or more images)",
        "A head trained without any image of the family scores all of its images (every draw "
        "and condition) against the held-out real images.",
        header=["family", "images", "samples", "ROC-AUC"],
        align="lrrr",
        rows=[
            [name, row["images"], row["samples"], _cell(row.get("roc_auc"), percent=False)]
            for name, row in rows.items()
        ],
    )


def _groups(groups: dict[str, dict[str, dict[str, int]]]) -> str:
    return _table(
        "Test split per generator family and per kind of real image",
        "How many images were called `fake`: as made, after laundering (long side 1080, JPEG "
        "q85), and under at least one condition.",
        header=["label", "group", "images", "as made", "laundered", "any condition"],
        align="llrrrr",
        rows=[
            [
                label,
                name,
                row["images"],
                row.get("original", 0),
                row.get("laundered", 0),
                row.get("any_condition", 0),
            ]
            for label, rows in groups.items()
            for name, row in rows.items()
        ],
    )


def _search(scores: dict[str, float]) -> str:
    return _table(
        "Head choice (grouped 5-fold cross-validation on the training split only)",
        header=["feature / views / C", "ROC-AUC"],
        align="lr",
        rows=[[name, f"{score:.4f}"] for name, score in scores.items()],
    )


def _variant_drops(drops: dict[str, float]) -> str:
    return _table(
        "Head choice: catches through camera and scanner variants (validation)",
        "Heads in the order above; the first whose share of AI images called fake falls by at "
        f"most {MAX_VARIANT_DROP * 100:.0f} points from as made to through camera and scanner "
        "variants is served.",
        header=["feature / views / C", "fall in AI called fake"],
        align="lr",
        rows=[[name, f"{drop:.1%}"] for name, drop in drops.items()],
    )


def _table(
    title: str, *intro: str, header: Sequence[str], align: str, rows: Sequence[Sequence[object]]
) -> str:
    """A titled Markdown table: `align` holds an `l` or `r` per column."""
    lines = [f"## {title}", "", *(part for text in intro for part in (text, ""))]
    lines += [_row(header), "|" + "".join("---:|" if a == "r" else "---|" for a in align)]
    lines += [_row(row) for row in rows]
    return "\n".join(lines)


def _row(cells: Sequence[object]) -> str:
    return "| " + " | ".join(str(cell) for cell in cells) + " |"


def _dataset(summary: dict[str, Any]) -> str:
    lines = [
        f"## Training data ({summary.get('images', 0)} images)",
        "",
        "| source | images |",
        "|---|---:|",
    ]
    lines += [f"| {name} | {count} |" for name, count in sorted(summary.get("sources", {}).items())]
    lines += ["", "| label / family or kind | images |", "|---|---:|"]
    lines += [
        f"| {name} | {count} |" for name, count in sorted(summary.get("by_family", {}).items())
    ]
    return "\n".join(lines)
