"""The verdict rule: how the signals become one `real | fake | uncertain` answer.

1. Provenance first. When the file carries a generator's own, structurally valid statement that
   it made the image, the verdict is `fake`, the score is 1.0 and `decided_by` is `provenance`.
   Such statements are:
   - a C2PA manifest, active or an ingredient's, declaring the IPTC digital source type
     `trainedAlgorithmicMedia` or `compositeWithTrainedAlgorithmicMedia`, whose claim signature
     and hashes verify, as do those of every manifest between it and the active one (so it
     describes these pixels). Signer trust and certificate expiry are reported separately and
     do not change this: an intact AI claim from an untrusted signer is still the generator's own
     statement, and nobody gains by forging one;
   - an XMP `DigitalSourceType` with one of those values;
   - a generator's metadata record: Stable Diffusion WebUI `parameters`, ComfyUI `prompt` or
     `workflow` graphs, InvokeAI, NovelAI or Fooocus chunks, a generator named in EXIF
     `Software` or XMP `CreatorTool`, DALL-E's EXIF marks.
2. Otherwise the pixels decide, through the fused detector (`predictions/fusion.py`). Each
   scoring view is calibrated on its own: the semantic view (a frozen CLIP image tower and our
   trained head, `detectors/semantic/`) and the low-level view (the native-resolution crop
   model, `detectors/lowlevel/`, p = sigmoid(mean crop logit / T)). The fused score is
   p = sigmoid(b + sum of w_view * logit_view / T_view), with the weights fitted on validation
   data only and stored in the fusion card; p < `real_below` is `real`, p > `fake_above` is
   `fake`, anything between is `uncertain`, the thresholds chosen on validation so that at
   most 2% of real images are called `fake` under each robustness condition. Without a fusion
   card the low-level view's own score and thresholds are used. The score is p, never a raw
   softmax. `real` means only that no view found AI traces: every view misses some AI images.
3. A known AI image decides next, in the API (which owns the known images; the rule's code is
   `services/api/known_images/matching.py`). This service returns the PDQ hashes of the
   decoded pixels (`fingerprints`); when the check's hash, whole or with a uniform frame
   trimmed, is at most 31 of 256 bits from a known AI image's hash, whole or of its central
   90%, the verdict is `fake`, the score 1.0 and `decided_by` is `known_image`, and the
   `matches` signal carries the entry's public note and date. Provenance still comes first. A
   match with a known real photo is evidence only and never decides `real`, since an AI edit of
   a real photo matches that photo too.
4. Nothing else moves the verdict. Camera make/model, C2PA capture manifests, free-text mentions
   of a generator, broken signatures and the spectrum check are evidence for people only, since
   metadata is easy to copy or strip. A file without metadata is "no provenance information",
   never "real".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from services.common.contract import DECIDED_BY_PIXELS, DECIDED_BY_PROVENANCE, Verdict
from services.inference.detectors.calibration import Thresholds
from services.inference.detectors.evidence.provenance.schemas import ProvenanceReport

PROVENANCE_SCORE = 1.0


@dataclass(frozen=True, slots=True)
class Decision:
    """The verdict, the score reported with it, and which rule decided."""

    verdict: Verdict
    score: float
    decided_by: Literal["provenance", "model"]


def decide(*, model_score: float, thresholds: Thresholds, provenance: ProvenanceReport) -> Decision:
    """Apply the rule in this module's docstring."""
    if provenance.decisive:
        return Decision(verdict="fake", score=PROVENANCE_SCORE, decided_by=DECIDED_BY_PROVENANCE)
    return Decision(
        verdict=model_verdict(score=model_score, thresholds=thresholds),
        score=model_score,
        decided_by=DECIDED_BY_PIXELS,
    )


def model_verdict(*, score: float, thresholds: Thresholds) -> Verdict:
    """The model's verdict from its calibrated score and the card's uncertain band."""
    if score < thresholds.real_below:
        return "real"
    if score > thresholds.fake_above:
        return "fake"
    return "uncertain"
