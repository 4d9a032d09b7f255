"""The `matches` signal and the one rule by which a known image decides a verdict.

Only hashes whose PDQ quality reaches `QUALITY_FLOOR` are stored or looked up. A check whose
PDQ hash (of the whole picture, or of it without a uniform frame) lies within
`MATCH_DISTANCE` bits of a known AI image's hash (of the whole picture, of its central 90%, or
of it without 10% on one side) is that image re-posted: the verdict is `fake`, the score 1.0
and `decided_by` is `known_image`, unless a generator's own provenance claim decided first. A
match with a known real photo is evidence only and never decides `real`: an AI edit of a real
photo matches that photo too. Callers see the note and the date a match became known, never
whose upload it was; admins also see the entry's id and source.
"""

from __future__ import annotations

from collections.abc import Iterable

from services.api.known_images.index import BITS, codes_of, hamming
from services.api.known_images.schemas import HistoryMatch, KnownMatch
from services.common.contract import SIGNAL_MATCHES, Fingerprints, InferenceResult, Signal

SIGNAL = SIGNAL_MATCHES
KNOWN_IMAGE_SCORE = 1.0
# PDQ's reference discards hashes under quality 50. Measured (docs/known-images.md): flat and
# tiny pictures score 0, gradients and two-tone pictures up to 52, every false match among 1,900
# plain pictures and photo tiles was under 10; photographs score 35 (refused) to 100.
QUALITY_FLOOR = 50


def too_plain(fingerprints: Fingerprints) -> bool:
    """Whether the whole picture's hash is below the quality floor (a flat or tiny picture)."""
    return fingerprints.pdq_quality < QUALITY_FLOOR


def query_hashes(fingerprints: Fingerprints) -> list[str]:
    """The hashes of a check that are looked up among known images (none if too plain)."""
    trimmed_quality = _or_whole(fingerprints, fingerprints.pdq_trimmed_quality)
    return _detailed(
        [(fingerprints.pdq, fingerprints.pdq_quality), (fingerprints.pdq_trimmed, trimmed_quality)]
    )


def stored_hashes(fingerprints: Fingerprints) -> list[str]:
    """The hashes a known image is indexed by, the whole picture's first (each once)."""
    found = [(fingerprints.pdq, fingerprints.pdq_quality)]
    if fingerprints.pdq_centre:
        found.append(
            (fingerprints.pdq_centre, _or_whole(fingerprints, fingerprints.pdq_centre_quality))
        )
    sides = fingerprints.pdq_sides or []
    side_qualities = fingerprints.pdq_sides_quality or [fingerprints.pdq_quality] * len(sides)
    return _detailed([*found, *zip(sides, side_qualities, strict=True)])


def history_hash(fingerprints: Fingerprints) -> str | None:
    """The hash a check is kept by for its owner's later look-ups (none if too plain)."""
    return None if too_plain(fingerprints) else fingerprints.pdq


def _or_whole(fingerprints: Fingerprints, quality: int | None) -> int:
    """A part's quality; older answers gave only the whole picture's."""
    return fingerprints.pdq_quality if quality is None else quality


def _detailed(hashes: Iterable[tuple[str, int]]) -> list[str]:
    """The hashes at or above the quality floor, each once."""
    return list(dict.fromkeys(pdq for pdq, quality in hashes if quality >= QUALITY_FLOOR))


def stored_codes(fingerprints: Fingerprints) -> bytes:
    """A known image's stored hashes as the 32-byte codes its entry and the index keep."""
    return codes_of(stored_hashes(fingerprints))


def distance(*, known: Fingerprints, check: Fingerprints) -> int:
    """Bits between a check and a known image as the index counts them: the closest pair."""
    pairs = [(a, b) for a in stored_hashes(known) for b in query_hashes(check)]
    return min((hamming(a, b) for a, b in pairs), default=BITS)


def without_matches(result: InferenceResult) -> InferenceResult:
    """The detector's own answer, before any known image was applied (to reuse it)."""
    found = next((s for s in result.signals if s.name == SIGNAL), None)
    if found is None:
        return result
    detector = found.evidence.get("detector", {})
    return result.model_copy(
        update={
            "signals": [s for s in result.signals if s.name != SIGNAL],
            "verdict": detector.get("verdict", result.verdict),
            "score": detector.get("score", result.score),
            "decided_by": detector.get("decided_by", result.decided_by),
        }
    )


def with_matches(
    *, result: InferenceResult, known: list[KnownMatch], history: list[HistoryMatch]
) -> InferenceResult:
    """The answer with its `matches` signal, decided by a known AI image when there is one."""
    ai = [match for match in known if match.label == "ai"]
    decides = bool(ai) and result.decided_by != "provenance"
    signal = Signal(
        name=SIGNAL,
        score=KNOWN_IMAGE_SCORE if ai else None,
        summary=_summary(known=known, history=history, decides=decides),
        evidence={
            "known": [match.model_dump(mode="json", exclude_none=True) for match in known],
            "history": [match.model_dump(mode="json") for match in history],
            "detector": {
                "verdict": result.verdict,
                "score": result.score,
                "decided_by": result.decided_by,
            },
        },
    )
    update: dict[str, object] = {"signals": [*result.signals, signal]}
    if decides:
        update |= {"verdict": "fake", "score": KNOWN_IMAGE_SCORE, "decided_by": "known_image"}
    return result.model_copy(update=update)


def _summary(*, known: list[KnownMatch], history: list[HistoryMatch], decides: bool) -> str:
    if decides:
        first = next(match for match in known if match.label == "ai")
        since = f"{first.known_since:%Y-%m-%d}"
        return f"A near-duplicate of an image known to be AI-generated since {since}."
    if known:
        return "Looks like a known real photo; that alone does not show this copy is unedited."
    if history:
        return "You checked something like this before."
    return "Not like any known image."
