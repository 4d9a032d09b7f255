"""The spectrum check and the verdict rule, on inputs made for them."""

from __future__ import annotations

import numpy as np
import pytest

from services.inference.detectors.calibration import Thresholds
from services.inference.detectors.evidence.provenance.schemas import C2paReport, ProvenanceReport
from services.inference.detectors.evidence.spectrum.service import spectrum_signal
from services.inference.predictions.verdict import decide, model_verdict
from tests.support.images import photo_like

BAND = Thresholds(real_below=0.3, fake_above=0.7)


def smooth(size: int) -> np.ndarray:
    return np.asarray(photo_like(width=size, height=size, seed=3))


def transposed_convolution(size: int) -> np.ndarray:
    """A 2x upsampling as a generator's decoder does it: zeros inserted, then an uneven kernel."""
    small = np.asarray(photo_like(width=size // 2, height=size // 2, seed=3), np.float32)
    upsampled = np.zeros((size, size, 3), np.float32)
    upsampled[::2, ::2] = small
    for axis in (0, 1):
        filtered = np.zeros_like(upsampled)
        for shift, weight in zip((-1, 0, 1), (0.25, 1.0, 0.6), strict=True):
            filtered += np.roll(upsampled, shift, axis=axis) * weight
        upsampled = filtered
    return np.clip(upsampled, 0, 255).astype(np.uint8)


def test_upsampling_peaks_stand_out() -> None:
    pixels = transposed_convolution(512)

    signal = spectrum_signal(pixels=pixels, image_format="PNG", max_tiles=4, image_px=64)

    assert signal.score is not None and signal.score > 0.9
    assert {peak["period_px"] for peak in signal.evidence["peaks"]} == {"2"}


def test_smooth_picture_has_no_peaks() -> None:
    signal = spectrum_signal(pixels=smooth(512), image_format="PNG", max_tiles=4, image_px=64)

    assert signal.score is not None and signal.score < 0.5
    assert signal.evidence["peaks"] == []


def test_jpeg_block_grid_positions_are_skipped() -> None:
    pixels = transposed_convolution(512)

    signal = spectrum_signal(pixels=pixels, image_format="JPEG", max_tiles=4, image_px=64)

    assert signal.evidence["jpeg_grid_skipped"] is True
    assert signal.evidence["peaks"] == []  # period 2 lies on JPEG's 8x8 grid


def provenance(*, decisive: bool) -> ProvenanceReport:
    status = "generator-claim" if decisive else "no-provenance-information"
    return ProvenanceReport(status=status, decisive=decisive, c2pa=C2paReport(present=False))


@pytest.mark.parametrize(
    ("score", "verdict"),
    [(0.0, "real"), (0.299, "real"), (0.3, "uncertain"), (0.7, "uncertain"), (0.701, "fake")],
)
def test_model_verdict_follows_the_card_band(score: float, verdict: str) -> None:
    assert model_verdict(score=score, thresholds=BAND) == verdict


def test_a_generator_claim_overrides_a_real_looking_score() -> None:
    decision = decide(model_score=0.05, thresholds=BAND, provenance=provenance(decisive=True))

    assert (decision.verdict, decision.score, decision.decided_by) == ("fake", 1.0, "provenance")


def test_without_a_claim_the_model_decides_with_its_own_score() -> None:
    decision = decide(model_score=0.05, thresholds=BAND, provenance=provenance(decisive=False))

    assert (decision.verdict, decision.score, decision.decided_by) == ("real", 0.05, "model")
