"""The detector's per-area scores drawn as an SVG layer over the image (a heatmap toggle)."""

from __future__ import annotations

import colorsys
from dataclasses import dataclass

from deepcatcher_client.models import Signal

from services.common.contract import SIGNAL_LOWLEVEL


@dataclass(frozen=True, slots=True)
class Cell:
    """One scored area, in the image's pixel coordinates."""

    x: int
    y: int
    width: int
    height: int
    score: float
    fill: str


@dataclass(frozen=True, slots=True)
class Overlay:
    """Scored areas over an image of `width` x `height` pixels."""

    width: int
    height: int
    cells: list[Cell]


def score_overlay(*, signals: list[Signal], width: int, height: int) -> Overlay | None:
    """The model signal's score map as cells, or None when it has none."""
    model = next((signal for signal in signals if signal.name == SIGNAL_LOWLEVEL), None)
    areas = model.evidence.get("score_map", []) if model else []
    if not areas:
        return None
    # The map is in upright pixels; an EXIF-rotated file reports its size before rotation.
    if any(area["top"] >= height or area["left"] >= width for area in areas):
        width, height = height, width
    cells = [
        Cell(
            x=area["left"],
            y=area["top"],
            width=min(area["size"], width - area["left"]),
            height=min(area["size"], height - area["top"]),
            score=area["score"],
            fill=score_colour(area["score"]),
        )
        for area in areas
    ]
    return Overlay(width=width, height=height, cells=cells)


def score_colour(score: float) -> str:
    """Green for 0 through amber to red for 1, as a hex colour."""
    hue = (1 - min(max(score, 0.0), 1.0)) * 140 / 360
    red, green, blue = colorsys.hls_to_rgb(hue, 0.45, 0.75)
    return f"#{round(red * 255):02x}{round(green * 255):02x}{round(blue * 255):02x}"
