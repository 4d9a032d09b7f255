"""How verdicts and evidence are put into words and pictures (no services needed)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from deepcatcher_client.models import ImageFacts, ModelRef, PredictionSummary, Signal, Verdict

from services.inference.detectors.evidence.provenance.schemas import (
    C2paManifest,
    C2paReport,
    Finding,
    ProvenanceReport,
)
from services.inference.detectors.evidence.provenance.service import provenance_signal
from services.web.predictions.evidence import signal_views
from services.web.predictions.filters import HistoryFilters, parse_filters
from services.web.predictions.overlay import score_colour, score_overlay
from services.web.predictions.verdicts import verdict_view
from services.web.security.redirects import local_path

THRESHOLDS = {"real_below": 0.3, "fake_above": 0.7}


def _summary(*, verdict: Verdict, score: float) -> PredictionSummary:
    return PredictionSummary(
        id=uuid.uuid4(),
        created_at=datetime.now(UTC),
        filename="photo.jpg",
        verdict=verdict,
        score=score,
        model=ModelRef(name="m", version="v"),
        image=ImageFacts(sha256="0" * 64, mime_type="image/jpeg", width=64, height=48, byte_size=9),
        latency_ms=1.0,
        reused=False,
    )


def _model_signal(score: float, cells: list[dict[str, float]] | None = None) -> Signal:
    evidence = {"crops": 1, "crop_size": 32, "thresholds": THRESHOLDS, "score_map": cells or []}
    return Signal(name="model", score=score, summary="The detector's score.", evidence=evidence)


def _firefly_provenance() -> Signal:
    manifest = C2paManifest(
        label="urn:c2pa:1",
        role="active",
        depth=0,
        claim_generator="Adobe Firefly",
        signer_common_name="Adobe Content Credentials",
        digital_source_types=["trainedAlgorithmicMedia"],
        signature_valid=True,
        signer_trusted=False,
        certificate_expired=False,
        bound_to_image=True,
    )
    finding = Finding(
        kind="generator", source="c2pa", field="digitalSourceType", value="x", signed=True
    )
    report = ProvenanceReport(
        status="generator-claim",
        decisive=True,
        findings=[finding],
        c2pa=C2paReport(present=True, manifests=[manifest]),
    )
    # As the web reads it: the inference's signal, through the API, into the SDK's model.
    return Signal.model_validate(provenance_signal(report).model_dump())


def test_verdicts_read_as_words_with_a_symbol() -> None:
    assert verdict_view(_summary(verdict="fake", score=0.93)).label == "Likely AI-generated"
    assert verdict_view(_summary(verdict="real", score=0.05)).label == "No AI traces found"
    uncertain = verdict_view(_summary(verdict="uncertain", score=0.5))
    assert (uncertain.label, uncertain.symbol) == ("Uncertain", "?")


def test_the_gauge_places_the_score_and_the_uncertain_band() -> None:
    view = verdict_view(_summary(verdict="fake", score=0.93), signals=[_model_signal(0.93)])
    assert view.gauge.marker_x == 372.0
    assert view.gauge.band == (120.0, 160.0)
    assert view.gauge.description.startswith("Score 0.93 on a scale from 0 (real) to 1")
    assert "Below 0.30 reads as real, above 0.70 as AI-generated" in view.gauge.description


def test_a_generator_claim_in_provenance_says_it_decided() -> None:
    signals = [_model_signal(0.4), _firefly_provenance()]
    view = verdict_view(_summary(verdict="fake", score=1.0), signals=signals)
    assert view.decided_by_provenance
    assert "provenance record says an AI generator made it" in view.explanation


def test_c2pa_manifests_are_described_in_plain_words() -> None:
    (view,) = signal_views([_firefly_provenance()])
    assert view.title == "Provenance"
    assert view.headline == "The file says an AI generator made it"
    (finding,) = view.findings
    assert finding.kind == "C2PA manifest"
    assert finding.text == (
        "Created with Adobe Firefly, made by generative AI, signed by Adobe Content Credentials, "
        "signature valid, signer not on the trust list."
    )


def test_the_spectrum_shows_its_picture_and_says_it_does_not_vote() -> None:
    evidence = {
        "tile_size": 128,
        "tiles": 4,
        "strongest_peak_z": 9.5,
        "peak_threshold_z": 6.0,
        "peaks": [{"frequency": [0, 0.25], "period_px": "4", "z": 9.5}],
        "jpeg_grid_skipped": True,
        "spectrum_png_base64": "iVBORw0KGgo=",
    }
    (view,) = signal_views(
        [Signal(name="spectrum", score=0.9, summary="Peaks.", evidence=evidence)]
    )
    assert ("Repeating patterns", "every 4 px") in view.facts
    assert view.pictures[0].src == "data:image/png;base64,iVBORw0KGgo="
    assert view.headline is None  # an uncalibrated score is not shown as if it were one
    assert view.note and "does not change the verdict" in view.note


def test_an_explain_heatmap_is_shown_when_the_service_sends_one() -> None:
    signal = Signal(name="model", score=0.5, evidence={"heatmap_png_base64": "AAAA"})
    (view,) = signal_views([signal])
    assert [picture.src for picture in view.pictures] == ["data:image/png;base64,AAAA"]


def test_unknown_signals_still_show_their_simple_facts() -> None:
    signal = Signal(name="noise_print", score=0.2, summary="Sensor noise.", evidence={"blocks": 12})
    (view,) = signal_views([signal])
    assert view.title == "Noise print" and ("Blocks", "12") in view.facts


def test_the_heatmap_overlay_follows_the_score_map() -> None:
    cells = [
        {"top": 0, "left": 0, "size": 32, "score": 0.0},
        {"top": 0, "left": 40, "size": 32, "score": 1.0},
    ]
    overlay = score_overlay(signals=[_model_signal(0.5, cells)], width=64, height=48)
    assert overlay is not None
    assert [(c.x, c.width) for c in overlay.cells] == [(0, 32), (40, 24)]  # clipped to the image
    assert score_colour(0.0) != score_colour(1.0)
    rotated = score_overlay(
        signals=[_model_signal(0.5, [{"top": 50, "left": 0, "size": 8, "score": 0.5}])],
        width=64,
        height=48,
    )
    assert rotated is not None and (rotated.width, rotated.height) == (48, 64)
    assert score_overlay(signals=[], width=64, height=48) is None


def test_history_filters_include_the_last_day() -> None:
    filters = parse_filters(verdict="fake", date_from="2026-11-01", date_to="2026-11-02")
    query = filters.query(cursor=None, limit=10)
    assert query.params() == {
        "limit": 10,
        "verdict": "fake",
        "created_from": "2026-11-01T00:00:00Z",
        "created_to": "2026-11-03T00:00:00Z",
    }
    assert (
        filters.url(cursor="abc")
        == "/predictions?verdict=fake&from=2026-11-01&to=2026-11-02&cursor=abc"
    )
    assert parse_filters(verdict="maybe", date_from="yesterday", date_to=None) == HistoryFilters()
    assert HistoryFilters(date_from=date(2026, 1, 1)).active


def test_redirect_targets_stay_on_this_site() -> None:
    assert local_path("/predictions?verdict=fake") == "/predictions?verdict=fake"
    for hostile in (
        "//evil.example",
        "https://evil.example/",
        "/\\evil.example",
        "javascript:x",
        "",
    ):
        assert local_path(hostile) == "/"
