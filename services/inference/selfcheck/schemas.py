"""What the self-check records in the fusion card, and what it found at start."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from services.inference.selfcheck.inputs import ReferenceInput

# Measured against INT8 kernels that saturate (cosine 0.35-0.40) and exact ones (above 0.9999 on
# the same CPU): a healthy run is far above 0.999, a broken one far below.
MIN_FEATURE_COSINE = 0.999
# A score is a probability; 0.01 is far below any threshold's margin and far above float noise.
MAX_SCORE_DIFFERENCE = 0.01


class Tolerances(BaseModel):
    """How far this machine's figures may be from the card's and still pass."""

    min_feature_cosine: float = Field(default=MIN_FEATURE_COSINE, gt=0.0, le=1.0)
    max_score_difference: float = Field(default=MAX_SCORE_DIFFERENCE, gt=0.0, lt=1.0)


class Machine(BaseModel):
    """Where figures were computed: the CPU's instruction sets that change the numerics, the
    runtimes' versions and how each view ran."""

    architecture: str
    cpu_flags: dict[str, bool] = Field(
        description="avx2, avx512f, avx512_vnni, avx_vnni and amx_int8, as CPUID reports them."
    )
    versions: dict[str, str]
    runners: dict[str, str] = Field(default_factory=dict, description="Per view, what ran it.")

    def summary(self) -> str:
        """One line for people: the flags present and absent, then the versions."""
        flags = ", ".join(name if on else f"no {name}" for name, on in self.cpu_flags.items())
        versions = ", ".join(f"{name} {version}" for name, version in self.versions.items())
        return f"{self.architecture} ({flags}); {versions}"


class ViewFigures(BaseModel):
    """One view's finding on one reference input."""

    logit: float
    score: float
    features: dict[str, str] = Field(
        default_factory=dict,
        description=(
            "Per view of the image the tower embeds, its features (embedding, class token) as "
            "little-endian float16, base64: enough for a cosine, small enough for a card."
        ),
    )


class InputFigures(BaseModel):
    """What every view and the fusion give for one reference input."""

    input: ReferenceInput
    pixels_sha256: str
    views: dict[str, ViewFigures]
    fused: float = Field(description="The fused score.")


class LowlevelModelRef(BaseModel):
    """The low-level model the figures hold for (any export of it: same name and creation)."""

    name: str
    created: datetime
    sha256: str


class SelfCheck(BaseModel):
    """The known answers: the card's figures for the reference inputs, and how they were made."""

    inputs: list[InputFigures]
    tolerances: Tolerances = Field(default_factory=Tolerances)
    lowlevel_model: LowlevelModelRef
    recorded_on: Machine


class FigureCheck(BaseModel):
    """One figure measured here beside the card's, and whether it is within tolerance."""

    input: str
    view: str
    figure: str
    measured: float
    expected: float
    tolerance: str
    passed: bool


Status = Literal["running", "passed", "failed", "not recorded"]


class SelfCheckOutcome(BaseModel):
    """The self-check at start: passed, failed (and why), or nothing recorded to compare."""

    status: Status
    detail: str
    checks: list[FigureCheck] = Field(default_factory=list)
    not_checked: list[str] = Field(
        default_factory=list, description="Views whose figures could not be compared, and why."
    )
    tolerances: Tolerances | None = None
    machine: Machine | None = None
    recorded_on: Machine | None = None
    seconds: float | None = None
    # What `deepcatcher self-check --write` records; too bulky for /v1/models.
    measured: SelfCheck | None = Field(default=None, exclude=True)
