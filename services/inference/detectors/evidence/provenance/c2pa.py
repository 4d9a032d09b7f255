"""C2PA manifests read offline with c2pa-python: signature, trust and claims checked per manifest.

A manifest's claims describe the uploaded pixels only when its own signature and hashes verify and
so do those of every manifest above it, down from the active one (`bound_to_image`). Whether the
signer is on a trust list is reported separately and never decides on its own: an intact claim
by an untrusted or expired signer is still the generator's own statement about the pixels.
"""

from __future__ import annotations

import io
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import c2pa

from services.inference.detectors.evidence.provenance.schemas import C2paManifest, C2paReport

SOURCE_TYPE_MARKER = "digitalsourcetype/"
# Failure codes about who signed and when, as opposed to whether the bytes are what was signed.
TRUST_CODE_PREFIXES = (
    "signingCredential.",
    "timeStamp.",
    "cawg.",
    "claimSignature.outsideValidity",
)
EXPIRY_CODES = frozenset({"signingCredential.expired", "claimSignature.outsideValidity"})
_LABEL_IN_URL = re.compile(r"/c2pa/([^/]+)")


@dataclass(slots=True)
class _Codes:
    success: set[str] = field(default_factory=set)
    failure: set[str] = field(default_factory=set)


class C2paInspector:
    """Reads C2PA stores without network access, trusting only anchors from a configured file."""

    def __init__(self, *, trust_anchors_path: Path | None) -> None:
        settings: dict[str, Any] = {
            "verify": {"remote_manifest_fetch": False, "ocsp_fetch": False, "verify_trust": True},
            "core": {"allowed_network_hosts": []},
        }
        if trust_anchors_path is not None:
            settings["trust"] = {"trust_anchors": trust_anchors_path.read_text()}
        self.trust_list_configured = trust_anchors_path is not None
        self._context = c2pa.Context.from_dict(settings)

    def inspect(self, *, data: bytes, mime_type: str) -> C2paReport:
        """The file's C2PA store summarised per manifest, or why it could not be read."""
        try:
            reader = c2pa.Reader.try_create(mime_type, io.BytesIO(data), None, self._context)
            if reader is None:
                return C2paReport(present=False, trust_list_configured=self.trust_list_configured)
            with reader:
                store = json.loads(reader.json())
        except Exception as exc:  # c2pa raises its own and ctypes errors for hostile stores
            # Remote manifests are never fetched: the service makes no network calls per upload.
            return C2paReport(
                present=b"c2pa" in data or "remote" in str(exc).lower(),
                trust_list_configured=self.trust_list_configured,
                error=str(exc)[:300],
            )
        return summarise_store(store, trust_list_configured=self.trust_list_configured)


def summarise_store(store: dict[str, Any], *, trust_list_configured: bool) -> C2paReport:
    """Walk the active manifest and its ingredients' manifests, checking each one's validation."""
    manifests: dict[str, Any] = store.get("manifests") or {}
    active = store.get("active_manifest")
    codes = _codes_by_manifest(store, manifests=manifests, active=active)
    summaries: list[C2paManifest] = []
    bound: dict[str, bool] = {}
    for label, depth, parent in _walk(manifests, active=active):
        summary = _summarise_manifest(
            manifests[label],
            label=label,
            depth=depth,
            codes=codes[label],
            parent_bound=True if parent is None else bound[parent],
            trust_list_configured=trust_list_configured,
        )
        bound[label] = summary.bound_to_image
        summaries.append(summary)
    return C2paReport(
        present=True,
        validation_state=store.get("validation_state"),
        trust_list_configured=trust_list_configured,
        active_manifest=active,
        manifests=summaries,
    )


def _walk(manifests: dict[str, Any], *, active: str | None) -> list[tuple[str, int, str | None]]:
    """Breadth-first (label, depth, parent) from the active manifest through ingredients."""
    if active not in manifests:
        return []
    order: list[tuple[str, int, str | None]] = [(str(active), 0, None)]
    seen = {active}
    for label, depth, _ in order:
        for ingredient in manifests[label].get("ingredients") or []:
            child = ingredient.get("active_manifest")
            if child in manifests and child not in seen:
                seen.add(child)
                order.append((child, depth + 1, label))
    return order


def _summarise_manifest(
    manifest: dict[str, Any],
    *,
    label: str,
    depth: int,
    codes: _Codes,
    parent_bound: bool,
    trust_list_configured: bool,
) -> C2paManifest:
    integrity = sorted(c for c in codes.failure if not c.startswith(TRUST_CODE_PREFIXES))
    trust = sorted(c for c in codes.failure if c.startswith(TRUST_CODE_PREFIXES))
    signature_valid = "claimSignature.validated" in codes.success and not any(
        c.startswith("claimSignature.") and c not in EXPIRY_CODES for c in codes.failure
    )
    signature = manifest.get("signature_info") or {}
    return C2paManifest(
        label=label,
        role="active" if depth == 0 else "ingredient",
        depth=depth,
        claim_generator=_claim_generator(manifest),
        signer_issuer=signature.get("issuer"),
        signer_common_name=signature.get("common_name"),
        signed_at=signature.get("time"),
        actions=_actions(manifest),
        digital_source_types=sorted(_source_types(manifest.get("assertions") or [])),
        capture_device=_capture_device(manifest),
        signature_valid=signature_valid,
        signer_trusted=trust_list_configured
        and "signingCredential.trusted" in codes.success
        and "signingCredential.untrusted" not in codes.failure,
        certificate_expired=bool(EXPIRY_CODES & codes.failure),
        bound_to_image=parent_bound and signature_valid and not integrity,
        integrity_failures=integrity,
        trust_failures=trust,
    )


def _codes_by_manifest(
    store: dict[str, Any], *, manifests: dict[str, Any], active: str | None
) -> defaultdict[str, _Codes]:
    """Status codes attributed to the manifest their URL names (the active one when none)."""
    current: defaultdict[str, _Codes] = defaultdict(_Codes)
    results = store.get("validation_results") or {}
    _add(current, results.get("activeManifest") or {}, default=active)
    for delta in results.get("ingredientDeltas") or []:
        _add(current, delta.get("validationDeltas") or {}, default=active)
    if not results:  # older readers give only a flat list of failures
        _add(current, {"failure": store.get("validation_status") or []}, default=active)
    recorded: defaultdict[str, _Codes] = defaultdict(_Codes)
    for manifest in manifests.values():
        for ingredient in manifest.get("ingredients") or []:
            # What the signer recorded about an ingredient when adding it; today's checks win.
            statuses = (ingredient.get("validation_results") or {}).get("activeManifest") or {}
            _add(recorded, statuses, default=ingredient.get("active_manifest"))
    for label, codes in recorded.items():
        _merge_recorded(current[label], recorded=codes)
    return current


def _merge_recorded(current: _Codes, *, recorded: _Codes) -> None:
    checked = {_family(code) for code in current.success | current.failure}
    current.success |= {code for code in recorded.success if _family(code) not in checked}
    current.failure |= {code for code in recorded.failure if _family(code) not in checked}


def _family(code: str) -> str:
    """`signingCredential.trusted` and `signingCredential.untrusted` answer the same question."""
    return code.rsplit(".", 1)[0]


def _add(codes: defaultdict[str, _Codes], statuses: dict[str, Any], *, default: Any) -> None:
    for outcome in ("success", "failure"):
        for status in statuses.get(outcome) or []:
            match = _LABEL_IN_URL.search(str(status.get("url", "")))
            label = match.group(1) if match else default
            if label is not None and status.get("code"):
                getattr(codes[str(label)], outcome).add(str(status["code"]))


def _claim_generator(manifest: dict[str, Any]) -> str:
    infos = manifest.get("claim_generator_info") or []
    names = [str(info.get("name", "")) for info in infos if isinstance(info, dict)]
    return ", ".join(filter(None, names)) or str(manifest.get("claim_generator") or "")


def _actions(manifest: dict[str, Any]) -> list[str]:
    found = []
    for assertion in manifest.get("assertions") or []:
        if str(assertion.get("label", "")).startswith("c2pa.actions"):
            data = assertion.get("data") or {}
            found += [str(a.get("action")) for a in data.get("actions") or [] if a.get("action")]
    return found


def _source_types(value: Any) -> set[str]:
    """Every IPTC digital source type named anywhere in the assertions."""
    if isinstance(value, str):
        marker = value.find(SOURCE_TYPE_MARKER)
        return {value[marker + len(SOURCE_TYPE_MARKER) :]} if marker >= 0 else set()
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return set().union(*(_source_types(item) for item in value))
    return set()


def _capture_device(manifest: dict[str, Any]) -> str | None:
    for assertion in manifest.get("assertions") or []:
        if assertion.get("label") == "stds.exif":
            data = assertion.get("data") or {}
            make = [str(v) for k, v in data.items() if str(k).lower().endswith(":make")]
            model = [str(v) for k, v in data.items() if str(k).lower().endswith(":model")]
            if make or model:
                return " ".join(make[:1] + model[:1])
    return None
