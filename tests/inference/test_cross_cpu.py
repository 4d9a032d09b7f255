"""The self-check's figures on another CPU: `deepcatcher self-check --json` natively and under
qemu-user emulating a CPU without AVX-512 or VNNI must agree within the self-check's tolerances.

CI runs on a CPU with VNNI and AMX, where every integer kernel is exact; many servers and laptops
have neither (AMD Zen 1-3, Intel before Ice Lake). One emulated run takes a few minutes (over
ten on a slow VM); where this machine is itself such a CPU, its own self-check is the check.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from services.inference.detectors.semantic.features import features_within
from services.inference.selfcheck.service import cosine, decode
from tests.support.fusion_cards import BUNDLED_CARD, BUNDLED_MODEL

ROOT = Path(__file__).resolve().parents[2]
# qemu's CPU models, each with the flags it must show (so the emulation is known to work).
EMULATED = {"Haswell": {"avx2": True, "avx512f": False, "avx512_vnni": False, "avx_vnni": False}}


def qemu() -> str:
    """qemu-x86_64, or a skip here and a failure in CI, which must run this test."""
    found = shutil.which("qemu-x86_64")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run the cross-CPU test: install qemu-user (.ci/run does)")
        pytest.skip("qemu-x86_64 is not installed (Debian: apt-get install qemu-user)")
    return found


def self_check_json(*, cpu: str | None = None) -> dict[str, Any]:
    """`deepcatcher self-check --json` on the bundled files, emulating `cpu` if named."""
    prefix = [qemu(), "-cpu", cpu] if cpu else []
    files = ["--model", str(BUNDLED_MODEL), "--card", str(BUNDLED_CARD)]
    command = [*prefix, sys.executable, "-m", "services.cli", "self-check", "--json", *files]
    env = os.environ | {
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "DEEPCATCHER_INFERENCE_ENVIRONMENT": "development",
    }
    started = time.perf_counter()
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.stdout.strip(), f"{' '.join(command)} printed nothing: {done.stderr[-3000:]}"
    answer: dict[str, Any] = json.loads(done.stdout)
    return answer | {"seconds": round(time.perf_counter() - started, 1)}


@pytest.fixture(scope="module")
def native() -> dict[str, Any]:
    """This machine's figures, through the same command as the emulated run."""
    qemu()
    return self_check_json()


def figure_rows(
    native: dict[str, Any], emulated: dict[str, Any]
) -> list[tuple[str, float, float, bool]]:
    """Every figure of both runs side by side: (name, native, emulated, within tolerance)."""
    tolerances = native["measured"]["tolerances"]
    rows = []
    for here, there in zip(
        native["measured"]["inputs"], emulated["measured"]["inputs"], strict=True
    ):
        name = here["input"]["name"]
        for view, figures in here["views"].items():
            other = there["views"][view]
            for part, encoded in figures["features"].items():
                first, second = decode(encoded), decode(other["features"][part])
                width = max(len(first), len(second))
                for feature, columns in features_within(width=width).items():
                    value = cosine(first[columns], second[columns])
                    passed = value >= tolerances["min_feature_cosine"]
                    rows.append((f"{name} {view} cosine {part} {feature}", 1.0, value, passed))
            rows.append(
                _score_row(f"{name} {view} score", figures["score"], other["score"], tolerances)
            )
        rows.append(_score_row(f"{name} fused score", here["fused"], there["fused"], tolerances))
    return rows


def _score_row(
    name: str, first: float, second: float, tolerances: dict[str, float]
) -> tuple[str, float, float, bool]:
    return (name, first, second, abs(first - second) <= tolerances["max_score_difference"])


def table(
    rows: list[tuple[str, float, float, bool]], *, cpu: str, seconds: tuple[float, float]
) -> str:
    """The figures as a table people can read in the failure message."""
    lines = [f"{'figure':<42} {'native':>8} {cpu:>8}  agree"]
    lines += [
        f"{name:<42} {first:8.4f} {second:8.4f}  {'yes' if ok else 'NO'}"
        for name, first, second, ok in rows
    ]
    return "\n".join([*lines, f"seconds per run: native {seconds[0]}, {cpu} {seconds[1]}"])


@pytest.mark.cross_cpu
@pytest.mark.timeout(900)
@pytest.mark.parametrize("cpu", list(EMULATED))
def test_self_check_figures_agree_natively_and_on_an_emulated_cpu(
    cpu: str, native: dict[str, Any]
) -> None:
    here = native["outcome"]["machine"]["cpu_flags"]
    if {name: here[name] for name in EMULATED[cpu]} == EMULATED[cpu]:
        # This machine is such a CPU: its own self-check, against the figures the card recorded
        # on a CPU with AVX-512 and VNNI, is the cross-CPU check, ten times faster than qemu's.
        recorded = native["outcome"]["recorded_on"]["cpu_flags"]
        assert recorded != here, "the card was recorded on this kind of CPU"
        assert native["outcome"]["status"] == "passed", native["outcome"]["detail"]
        return
    emulated = self_check_json(cpu=cpu)
    rows = figure_rows(native, emulated)
    report = table(rows, cpu=cpu, seconds=(native["seconds"], emulated["seconds"]))
    print(report)

    flags = emulated["outcome"]["machine"]["cpu_flags"]
    assert {name: flags[name] for name in EMULATED[cpu]} == EMULATED[cpu]
    assert native["outcome"]["status"] == "passed", native["outcome"]["detail"]
    assert all(ok for *_, ok in rows), f"the figures differ on {cpu}:\n{report}"
    assert emulated["outcome"]["status"] == "passed", emulated["outcome"]["detail"]
