"""The self-check: the reference inputs through every view and the fusion, beside the card."""

from __future__ import annotations

import base64
import logging
import time
from collections.abc import Iterable

import numpy as np

from services.common.problems import ServiceUnavailable
from services.inference.detectors.base import ScoringView, ViewScore
from services.inference.detectors.lowlevel.loading import LoadedModel
from services.inference.detectors.lowlevel.view import LowlevelView
from services.inference.detectors.semantic.detector import SemanticDetector
from services.inference.detectors.semantic.features import features_within
from services.inference.predictions.fusion import VIEW_WORDS, FusedDetector, fused_score
from services.inference.selfcheck.inputs import (
    DEFAULT_INPUTS,
    ReferenceInput,
    pixels_sha256,
    reference_pixels,
)
from services.inference.selfcheck.machine import this_machine
from services.inference.selfcheck.schemas import (
    FigureCheck,
    InputFigures,
    LowlevelModelRef,
    Machine,
    SelfCheck,
    SelfCheckOutcome,
    Tolerances,
    ViewFigures,
)

logger = logging.getLogger("deepcatcher.inference.selfcheck")
FAILURES_NAMED = 4
NOT_RECORDED = (
    "The fusion card records no self-check figures (it predates the self-check), so nothing was "
    "compared and verdicts are served unchecked; `deepcatcher self-check --write` records them."
)
NO_FUSION = (
    "No fusion card is loaded and the low-level model's card records no self-check figures, so "
    "nothing was compared."
)


class SelfCheckFailed(ServiceUnavailable):
    """This machine's figures differ from the card's: the service gives no verdicts."""

    title, slug = "Self-check failed", "self-check-failed"


class SelfCheckRunning(ServiceUnavailable):
    """The self-check at start has not finished: no verdict until it has."""

    title, slug = "Self-check running", "self-check-running"


def running() -> SelfCheckOutcome:
    """The outcome before the self-check has finished."""
    return SelfCheckOutcome(status="running", detail="The self-check at start is running.")


def runners_of(*, loaded: LoadedModel, fused: FusedDetector | None) -> dict[str, str]:
    """Per view, what computes it here: the tower's runner and file, the low-level backend."""
    device = loaded.device
    local = f"{loaded.format} on {device.backend}, {device.name}, {loaded.precision}"
    runners = {"lowlevel": "tfserving" if loaded.format == "tfserving" else local}
    if fused is not None:
        backbone = fused.card.semantic.backbone
        runners["semantic"] = f"{backbone.runner} on {backbone.package} {backbone.resource}"
    return runners


def measure(
    *,
    fused: FusedDetector,
    lowlevel: LowlevelView,
    machine: Machine,
    inputs: Iterable[ReferenceInput] = DEFAULT_INPUTS,
) -> SelfCheck:
    """Every view's and the fusion's figures for the reference inputs, as serving computes them."""
    card = lowlevel.card
    return SelfCheck(
        inputs=[input_figures(spec, fused=fused, lowlevel=lowlevel) for spec in inputs],
        tolerances=fused.card.self_check.tolerances if fused.card.self_check else Tolerances(),
        lowlevel_model=LowlevelModelRef(name=card.name, created=card.created, sha256=card.sha256),
        recorded_on=machine,
    )


def input_figures(
    spec: ReferenceInput, *, fused: FusedDetector, lowlevel: ScoringView
) -> InputFigures:
    """One reference input through the low-level view, every other view and the fusion."""
    pixels = reference_pixels(spec)
    found = [_view_figures(view, pixels) for view in (lowlevel, *fused.views)]
    views = {
        score.name: ViewFigures(logit=round(score.logit, 6), score=round(score.score, 6), **extra)
        for score, extra in found
    }
    path = fused.card.path(long_side=max(pixels.shape[:2]))
    fused_value = fused_score(views=[score for score, _ in found], card=fused.card, path=path)
    return InputFigures(
        input=spec, pixels_sha256=pixels_sha256(pixels), views=views, fused=round(fused_value, 6)
    )


def _view_figures(
    view: ScoringView, pixels: np.ndarray
) -> tuple[ViewScore, dict[str, dict[str, str]]]:
    if not isinstance(view, SemanticDetector):
        return view.score(view.prepare(pixels)), {}
    features = view.tower.features(view.prepare(pixels))
    encoded = {name: encode(row) for name, row in zip(view.card.views, features, strict=True)}
    return view.score_features(features), {"features": encoded}


def encode(features: np.ndarray) -> str:
    """Features as little-endian float16, base64: a cosine survives it to 1e-6."""
    return base64.b64encode(features.astype("<f2").tobytes()).decode("ascii")


def decode(encoded: str) -> np.ndarray:
    """The features `encode` stored, as float64."""
    return np.frombuffer(base64.b64decode(encoded), dtype="<f2").astype(np.float64)


def cosine(first: np.ndarray, second: np.ndarray) -> float:
    """The cosine of the angle between two feature vectors (0 when either is all zeros, or
    when they differ in length)."""
    if first.shape != second.shape:
        return 0.0
    norms = float(np.linalg.norm(first) * np.linalg.norm(second))
    return float(np.dot(first, second) / norms) if norms else 0.0


def check_at_start(
    *, fused: FusedDetector | None, lowlevel: LowlevelView, runners: dict[str, str]
) -> SelfCheckOutcome:
    """Measure the card's reference inputs here and compare; the outcome is logged."""
    started, machine = time.perf_counter(), this_machine(runners=runners)
    if fused is None:
        return _logged(SelfCheckOutcome(status="not recorded", detail=NO_FUSION, machine=machine))
    recorded = fused.card.self_check
    inputs = [figures.input for figures in recorded.inputs] if recorded else DEFAULT_INPUTS
    try:
        measured = measure(fused=fused, lowlevel=lowlevel, machine=machine, inputs=inputs)
    except Exception as exc:  # a check that cannot run must not let unchecked verdicts out
        logger.exception("self-check could not run")
        return _logged(could_not_run(exc, machine=machine, recorded=recorded))
    outcome = compare(measured=measured, recorded=recorded)
    return _logged(outcome.model_copy(update={"seconds": round(time.perf_counter() - started, 3)}))


def could_not_run(
    error: Exception, *, machine: Machine, recorded: SelfCheck | None
) -> SelfCheckOutcome:
    """A failed outcome for a self-check that raised instead of giving figures."""
    detail = (
        f"The self-check could not run, so this service gives no verdicts: {error}. "
        f"This machine: {machine.summary()}."
    )
    return SelfCheckOutcome(
        status="failed",
        detail=detail[:2000],
        machine=machine,
        recorded_on=recorded.recorded_on if recorded else None,
    )


def compare(*, measured: SelfCheck, recorded: SelfCheck | None) -> SelfCheckOutcome:
    """The outcome of this machine's figures beside the card's."""
    machine = measured.recorded_on
    if recorded is None:
        return SelfCheckOutcome(
            status="not recorded", detail=NOT_RECORDED, machine=machine, measured=measured
        )
    skipped = skipped_views(here=measured.lowlevel_model, recorded=recorded.lowlevel_model)
    tolerances = recorded.tolerances
    checks: list[FigureCheck] = []
    problems: list[str] = []
    for expected, found in zip(recorded.inputs, measured.inputs, strict=True):
        if found.pixels_sha256 != expected.pixels_sha256:
            problems.append(_changed_input(expected.input.name))
            continue
        checks += input_checks(
            found=found, expected=expected, tolerances=tolerances, skipped=set(skipped)
        )
    # Scores first: a verdict is made of them, and a head on block tokens adds a cosine per
    # feature, which would otherwise push the score out of the named failures.
    failed = sorted((check for check in checks if not check.passed), key=_not_a_score)
    problems += [_failure(check, tolerances=tolerances) for check in failed]
    return SelfCheckOutcome(
        status="failed" if problems else "passed",
        detail=_detail(
            problems,
            checks=checks,
            machine=machine,
            recorded=recorded,
            skipped=next(iter(skipped.values()), None),
        ),
        checks=checks,
        not_checked=list(skipped.values()),
        tolerances=tolerances,
        machine=machine,
        recorded_on=recorded.recorded_on,
        measured=measured,
    )


def skipped_views(*, here: LowlevelModelRef, recorded: LowlevelModelRef) -> dict[str, str]:
    """The views whose recorded figures belong to another low-level model, and why."""
    if (here.name, here.created) == (recorded.name, recorded.created):
        return {}
    reason = (
        f"the low-level view and the fused score: the card's figures are for the low-level model "
        f"{recorded.name} of {recorded.created:%Y-%m-%d %H:%M}, this service runs {here.name} "
        f"of {here.created:%Y-%m-%d %H:%M}"
    )
    return {"lowlevel": reason, "fused": reason}


def input_checks(
    *, found: InputFigures, expected: InputFigures, tolerances: Tolerances, skipped: set[str]
) -> list[FigureCheck]:
    """Every figure of one reference input: feature cosines, each view's score, the fused one."""
    name, checks = expected.input.name, []
    for view, figures in expected.views.items():
        here = found.views.get(view)
        if view in skipped or here is None:
            continue
        checks += _cosine_checks(
            name, view=view, here=here, expected=figures, tolerances=tolerances
        )
        checks.append(_score_check(name, view, here.score, figures.score, tolerances=tolerances))
    if "fused" not in skipped:
        checks.append(
            _score_check(name, "fused", found.fused, expected.fused, tolerances=tolerances)
        )
    return checks


def _cosine_checks(
    name: str, *, view: str, here: ViewFigures, expected: ViewFigures, tolerances: Tolerances
) -> list[FigureCheck]:
    checks = []
    for part, encoded in expected.features.items():
        measured, recorded = decode(here.features[part]), decode(encoded)
        # A feature either tower gave is compared; one given by only one of them fails.
        for feature, columns in features_within(width=max(len(measured), len(recorded))).items():
            value = cosine(measured[columns], recorded[columns])
            checks.append(
                FigureCheck(
                    input=name,
                    view=view,
                    figure=f"cosine of the {part} view's {feature.replace('_', ' ')}",
                    measured=round(value, 6),
                    expected=1.0,
                    tolerance=f"at least {tolerances.min_feature_cosine}",
                    passed=value >= tolerances.min_feature_cosine,
                )
            )
    return checks


def _score_check(
    name: str, view: str, measured: float, expected: float, *, tolerances: Tolerances
) -> FigureCheck:
    return FigureCheck(
        input=name,
        view=view,
        figure="score",
        measured=measured,
        expected=expected,
        tolerance=f"within {tolerances.max_score_difference}",
        passed=abs(measured - expected) <= tolerances.max_score_difference,
    )


def _changed_input(name: str) -> str:
    return (
        f"the reference input {name!r} is not the image the card's figures were recorded on "
        "(its pixels' sha256 differs: did numpy's random generator change?)"
    )


def _failure(check: FigureCheck, *, tolerances: Tolerances) -> str:
    view = "the fused score" if check.view == "fused" else VIEW_WORDS.get(check.view, check.view)
    figure = "" if check.view == "fused" else f"'s {check.figure}"
    return (
        f"on the reference input {check.input!r}, {view}{figure} is {check.measured:.4f} where "
        f"the card has {check.expected:.4f} ({check.tolerance} needed)"
    )


def _not_a_score(check: FigureCheck) -> bool:
    return check.figure != "score"


def _detail(
    problems: list[str],
    *,
    checks: list[FigureCheck],
    machine: Machine,
    recorded: SelfCheck,
    skipped: str | None,
) -> str:
    if not problems:
        return (
            f"The self-check passed: {len(checks)} figures of {len(recorded.inputs)} reference "
            "inputs agree with the fusion card."
            + ("" if skipped is None else f" Not compared: {skipped}.")
        )
    named = "; ".join(problems[:FAILURES_NAMED])
    more = len(problems) - FAILURES_NAMED
    named += f"; and {more} more (GET /v1/models lists them)" if more > 0 else ""
    return (
        f"The self-check failed, so this service gives no verdicts: {named}. This machine: "
        f"{machine.summary()}. The card's figures were recorded on: "
        f"{recorded.recorded_on.summary()}."
    )


def _logged(outcome: SelfCheckOutcome) -> SelfCheckOutcome:
    level = {"passed": logging.INFO, "failed": logging.ERROR}.get(outcome.status, logging.WARNING)
    logger.log(level, "self-check %s: %s", outcome.status, outcome.detail)
    return outcome


def require_passed(outcome: SelfCheckOutcome) -> None:
    """Refuse verdicts (503) unless the self-check passed or had nothing recorded to compare."""
    if outcome.status == "failed":
        extensions = {"self_check": outcome.model_dump(mode="json")}
        raise SelfCheckFailed(outcome.detail, extensions=extensions)
    if outcome.status == "running":
        raise SelfCheckRunning(
            "The self-check at start is still running.", headers={"Retry-After": "5"}
        )
