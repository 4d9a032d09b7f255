"""The CLIP tower's numerics side by side: natively, and under emulated CPUs without VNNI.

    PYTHONPATH=$PWD .venv/bin/python benchmarks/semantic_numerics.py              # native + Haswell
    PYTHONPATH=$PWD .venv/bin/python benchmarks/semantic_numerics.py --no-emulate # native only
    PYTHONPATH=$PWD .venv/bin/python benchmarks/semantic_numerics.py --emulate Haswell \
        --emulate SandyBridge --emulated-inputs 2

Candidates: the pinned INT8 file as served today; the same file with onnxruntime's
`session.x64quantprecision` option; the derived "int8-exact" graph (u8 weights, exact products);
7-bit weights re-quantised by onnxruntime's own `quantize_dynamic(reduce_range=True)`; the
derived FP32 graph; and the Keras rebuild (native only). For each: cosine of its features to the
FP32 graph's (run natively), milliseconds per view (batch 1, `--threads` onnxruntime threads),
how far the bundled semantic head's logit moves from today's INT8 run on this machine, and the
same figures from `qemu-x86_64 -cpu NAME` (Debian's qemu-user) on the first `--emulated-inputs`
inputs, with the low-level Keras model's logit beside them. Run it on a CPU with VNNI, where
today's INT8 run is the one the head was trained on. Writes
benchmarks/results/semantic-numerics.{json,md}.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer

from services.inference.detectors.fusion import FusionCard
from services.inference.detectors.semantic.backbone import BackboneIdentity, backbone_path
from services.inference.detectors.semantic.features import head_input
from services.inference.detectors.semantic.numerics import sha256_of, tower_graph_path
from services.inference.detectors.semantic.views import pixel_values, whole_view
from tests.support.images import photo_like

RESULTS = Path(__file__).parent / "results"
CARD = Path("models/deepcatcher-fusion.json")
LOWLEVEL_MODEL = Path("models/deepcatcher-default.keras")
IDENTITY = BackboneIdentity()
Features = Callable[[np.ndarray], np.ndarray]

CANDIDATES = {
    "int8": "pinned INT8 file, onnxruntime defaults (served today)",
    "int8+x64quantprecision": "pinned INT8 file, session.x64quantprecision=1",
    "int8-exact": "derived: the same weights as u8 (+128), exact u8 x u8 products",
    "int8-7bit": "re-quantised: quantize_dynamic(per_channel, reduce_range) 7-bit s8 weights",
    "fp32": "derived: dequantised weights, FP32 MatMul",
    "keras-fp32": "Keras rebuild, dequantised FP32 weights (TensorFlow)",
}
ONNX_CANDIDATES = [name for name in CANDIDATES if name != "keras-fp32"]


def reference_images(count: int) -> list[np.ndarray]:
    """Seeded synthetic pictures: smooth photo-like ones alternating with uniform noise."""
    images = []
    for index in range(count):
        if index % 2 == 0:
            images.append(np.asarray(photo_like(width=320 + 32 * index, height=240, seed=index)))
        else:
            rng = np.random.default_rng(index)
            images.append(rng.integers(0, 256, (240, 320, 3), dtype=np.uint8))
    return images


def seven_bit_graph(*, cache: Path) -> Path:
    """The FP32 graph re-quantised by onnxruntime with 7-bit weights, built once under `cache`."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    path = cache / "bench-clip-int8-7bit.onnx"
    if not path.exists():
        fp32 = tower_graph_path(identity=IDENTITY, numerics="fp32", cache_dir=cache)
        quantize_dynamic(
            fp32,
            path,
            op_types_to_quantize=["MatMul"],
            per_channel=True,
            reduce_range=True,
            weight_type=QuantType.QInt8,
            extra_options={"MatMulConstBOnly": True},
        )
    return path


def graph_for(name: str, *, cache: Path) -> tuple[Path, dict[str, str]]:
    """The ONNX file and session options a candidate runs."""
    if name == "int8+x64quantprecision":
        return backbone_path(IDENTITY), {"session.x64quantprecision": "1"}
    if name == "int8-7bit":
        return seven_bit_graph(cache=cache), {}
    numerics = name if name in ("int8-exact", "fp32") else "int8"
    return tower_graph_path(identity=IDENTITY, numerics=numerics, cache_dir=cache), {}  # type: ignore[arg-type]


def onnx_runner(name: str, *, cache: Path, threads: int) -> Features:
    """A candidate's features function on an onnxruntime session with `threads` threads."""
    import onnxruntime

    path, config = graph_for(name, cache=cache)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.log_severity_level = 3
    for key, value in config.items():
        options.add_session_config_entry(key, value)
    session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    def features(views: np.ndarray) -> np.ndarray:
        embeds, tokens = session.run(None, {"pixel_values": views})
        return np.concatenate([embeds, tokens[:, 0, :]], axis=1).astype(np.float32)

    return features


def keras_runner(*, threads: int) -> Features:
    """The Keras rebuild's features function, TensorFlow limited to `threads` threads."""
    from services.inference.detectors.lowlevel.device import prepare_device
    from services.inference.detectors.semantic.rebuild import KerasClipTower

    prepare_device(memory_growth=False, intra_op_threads=threads, inter_op_threads=1)
    return KerasClipTower.open(identity=IDENTITY).features


def lowlevel_logits(images: list[np.ndarray], *, threads: int) -> list[float]:
    """The bundled low-level model's image logit for each image."""
    from services.inference.detectors.lowlevel.device import prepare_device
    from training.semantic.train import lowlevel_scorer

    prepare_device(memory_growth=False, intra_op_threads=threads, inter_op_threads=1)
    _, logit = lowlevel_scorer(LOWLEVEL_MODEL)
    return [logit(image) for image in images]


def cosines(a: np.ndarray, b: np.ndarray) -> list[float]:
    """Row-wise cosine of two feature batches."""
    rows = np.sum(a * b, axis=1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)
    return [round(float(value), 6) for value in rows]


def largest_gap(a: list[float], b: list[float]) -> float:
    """The largest absolute difference between paired values."""
    return round(max(abs(x - y) for x, y in zip(a, b, strict=True)), 4)


def head_logits(features: np.ndarray) -> list[float]:
    """The bundled semantic head's raw logit for each feature row."""
    card = FusionCard.read(CARD).semantic
    logits = card.head.logits(head_input(features, feature=card.feature))
    return [round(float(value), 4) for value in logits]


def timed_ms(
    runners: dict[str, Features], views: np.ndarray, repeats: int
) -> dict[str, list[float]]:
    """Milliseconds per single-view call, each candidate timed in its own block (so no other
    session's spinning threads compete with it), the blocks repeated in two rounds."""
    times: dict[str, list[float]] = {name: [] for name in runners}
    for _ in range(2):
        for name, run in runners.items():
            run(views[:1])
            for _ in range(max(repeats // 2, 1)):
                start = time.perf_counter()
                run(views[:1])
                times[name].append((time.perf_counter() - start) * 1000)
    return times


def cpu_summary() -> dict[str, Any]:
    """The host CPU's model and the instruction sets that matter here."""
    text = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    flags = next((line.split(":")[1].split() for line in text.splitlines() if "flags" in line), [])
    model = next(
        (line.split(":")[1].strip() for line in text.splitlines() if "model name" in line), ""
    )
    wanted = ("avx2", "fma", "avx512f", "avx512_vnni", "avx_vnni", "amx_int8")
    return {"model": model or platform.processor(), "flags": [f for f in wanted if f in flags]}


def one_at_a_time(run: Features, views: np.ndarray) -> np.ndarray:
    """Features with each view in its own call, as the service runs the bundled card's one view."""
    return np.concatenate([run(views[index : index + 1]) for index in range(len(views))])


def native(
    *, images: list[np.ndarray], cache: Path, threads: int, repeats: int, keras: bool
) -> dict[str, Any]:
    """Every candidate's features, timing and head logits on this machine."""
    views = pixel_values([whole_view(image) for image in images])
    names = ONNX_CANDIDATES + (["keras-fp32"] if keras else [])
    runners = {name: onnx_runner(name, cache=cache, threads=threads) for name in ONNX_CANDIDATES}
    if keras:
        runners["keras-fp32"] = keras_runner(threads=threads)
    features = {name: one_at_a_time(runners[name], views) for name in names}
    batched = {name: runners[name](views) for name in names}
    single = {
        name: one_at_a_time(onnx_runner(name, cache=cache, threads=1), views)
        for name in ONNX_CANDIDATES
    }
    load_before = os.getloadavg()[0]
    times = timed_ms(runners, views, repeats)
    rows = {}
    for name in names:
        rows[name] = {
            "cosine_to_fp32": cosines(features[name], features["fp32"]),
            "cosine_batched_vs_alone": cosines(batched[name], features[name]),
            "ms_per_view_median": round(statistics.median(times[name]), 1),
            "ms_per_view_min": round(min(times[name]), 1),
            "ms_per_view_p90": round(sorted(times[name])[int(0.9 * (len(times[name]) - 1))], 1),
            "head_logits": head_logits(features[name]),
            "threads_1_vs_n_max_abs": (
                float(np.abs(single[name] - features[name]).max()) if name in single else None
            ),
        }
    load = {"before": load_before, "after": os.getloadavg()[0]}
    return {"features": features, "rows": rows, "load_average_1min": load}


def emulated(
    *, cpu: str, images: list[np.ndarray], cache: Path, threads: int, reuse: bool
) -> dict[str, Any]:
    """Run the worker under `qemu-x86_64 -cpu CPU` on these images; its features and logits.

    The worker's output is kept under `cache`; `reuse` reads it instead of emulating again."""
    out = cache / f"bench-emulated-{cpu}-{len(images)}.npz"
    if not (reuse and out.exists()):
        with tempfile.TemporaryDirectory() as folder:
            inputs = Path(folder) / "inputs.npz"
            np.savez(inputs, *images)
            command = ["qemu-x86_64", "-cpu", cpu, sys.executable, __file__]
            command += ["--worker-inputs", str(inputs), "--worker-out", str(out)]
            command += ["--cache", str(cache), "--threads", str(threads)]
            started = time.perf_counter()
            environment = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
            subprocess.run(command, check=True, env=environment)
            typer.echo(f"{cpu}: {time.perf_counter() - started:.0f} s")
    with np.load(out) as saved:
        return {key: saved[key] for key in saved.files}


def worker(*, inputs: Path, out: Path, cache: Path, threads: int) -> None:
    """What runs under the emulator: each ONNX candidate's features, timed, and low-level logits."""
    with np.load(inputs) as saved:
        images = [saved[key] for key in saved.files]
    views = pixel_values([whole_view(image) for image in images])
    results: dict[str, Any] = {}
    for name in ONNX_CANDIDATES:
        run = onnx_runner(name, cache=cache, threads=threads)
        started = time.perf_counter()
        results[f"features/{name}"] = one_at_a_time(run, views)
        results[f"seconds_per_view/{name}"] = np.array((time.perf_counter() - started) / len(views))
        print(f"{name}: {results[f'seconds_per_view/{name}']:.0f} s per view", flush=True)
    results["lowlevel_logits"] = np.array(lowlevel_logits(images, threads=threads))
    np.savez(out, **results)


def compare(*, native_run: dict[str, Any], emulated_run: dict[str, Any]) -> dict[str, Any]:
    """An emulated CPU's figures against the native run on the same inputs."""
    reference = native_run["features"]["fp32"]
    rows = {}
    for name in ONNX_CANDIDATES:
        features = emulated_run[f"features/{name}"]
        count = len(features)
        logits = head_logits(features)
        served = native_run["rows"]["int8"]["head_logits"][:count]
        same = native_run["rows"][name]["head_logits"][:count]
        rows[name] = {
            "cosine_to_fp32": cosines(features, reference[:count]),
            "cosine_to_same_candidate_native": cosines(
                features, native_run["features"][name][:count]
            ),
            "head_logits": logits,
            "head_logit_delta_max": largest_gap(logits, served),
            "head_logit_delta_vs_same_candidate_native_max": largest_gap(logits, same),
            "seconds_per_view": round(float(emulated_run[f"seconds_per_view/{name}"]), 1),
        }
    return {
        "rows": rows,
        "lowlevel_logits": [round(float(v), 4) for v in emulated_run["lowlevel_logits"]],
    }


def main(
    inputs: Annotated[int, typer.Option(help="Synthetic inputs run natively.")] = 6,
    emulate: Annotated[
        list[str] | None, typer.Option(help="qemu-x86_64 CPU models to run the worker under.")
    ] = None,
    no_emulate: Annotated[bool, typer.Option("--no-emulate", help="Native part only.")] = False,
    reuse_emulated: Annotated[
        bool, typer.Option(help="Reuse the emulators' last output kept under --cache.")
    ] = False,
    emulated_inputs: Annotated[int, typer.Option(help="Inputs run under each emulator.")] = 2,
    threads: Annotated[int, typer.Option(help="onnxruntime and TensorFlow threads.")] = 2,
    repeats: Annotated[int, typer.Option(help="Timed single-view calls per candidate.")] = 20,
    keras: Annotated[bool, typer.Option(help="Time the Keras rebuild natively too.")] = True,
    cache: Annotated[Path, typer.Option(help="Where derived graphs are cached.")] = Path(
        "var/cache"
    ),
    results: Annotated[Path, typer.Option(help="Where the results go.")] = RESULTS,
    worker_inputs: Annotated[Path | None, typer.Option(hidden=True)] = None,
    worker_out: Annotated[Path | None, typer.Option(hidden=True)] = None,
) -> None:
    """Measure every candidate natively and under the emulated CPUs; write the results."""
    if worker_inputs is not None and worker_out is not None:
        worker(inputs=worker_inputs, out=worker_out, cache=cache, threads=threads)
        return
    images = reference_images(inputs)
    native_run = native(images=images, cache=cache, threads=threads, repeats=repeats, keras=keras)
    typer.echo(json.dumps(native_run["rows"], indent=1))
    cpus = [] if no_emulate else (emulate or ["Haswell"])
    lowlevel = {
        "native": [round(v, 4) for v in lowlevel_logits(images[:emulated_inputs], threads=threads)]
    }
    emulated_rows = {}
    for cpu in cpus:
        emulated_rows[cpu] = compare(
            native_run=native_run,
            emulated_run=emulated(
                cpu=cpu,
                images=images[:emulated_inputs],
                cache=cache,
                threads=threads,
                reuse=reuse_emulated,
            ),
        )
        lowlevel[cpu] = emulated_rows[cpu].pop("lowlevel_logits")
    write(
        native_run=native_run,
        emulated_rows=emulated_rows,
        lowlevel=lowlevel,
        settings={
            "inputs": inputs,
            "emulated_inputs": emulated_inputs,
            "threads": threads,
            "repeats": repeats,
        },
        results=results,
        cache=cache,
    )


def write(
    *,
    native_run: dict[str, Any],
    emulated_rows: dict[str, Any],
    lowlevel: dict[str, list[float]],
    settings: dict[str, int],
    results: Path,
    cache: Path,
) -> None:
    """The JSON with every figure, and a Markdown table of the headline ones."""
    import onnxruntime

    report = {
        "measured": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpu": cpu_summary(),
        "onnxruntime": onnxruntime.__version__,
        **settings,
        "load_average_1min": native_run["load_average_1min"],
        "candidates": CANDIDATES,
        "derived_sha256": {path.name: sha256_of(path) for path in sorted(cache.glob("*.onnx"))},
        "native": native_run["rows"],
        "emulated": emulated_rows,
        "lowlevel_logits": lowlevel,
    }
    results.mkdir(parents=True, exist_ok=True)
    (results / "semantic-numerics.json").write_text(json.dumps(report, indent=2) + "\n")
    (results / "semantic-numerics.md").write_text(markdown(report))


def markdown(report: dict[str, Any]) -> str:
    """The headline table, one row per candidate, then the low-level model's logits."""
    cpus = list(report["emulated"])
    header = ["candidate", "cos to FP32 native"]
    header += [f"cos to FP32 {cpu}" for cpu in cpus]
    header += [f"{cpu} vs native: cos / head logit delta" for cpu in cpus]
    header += ["batched vs alone: cos", f"ms/view native, {report['threads']} threads: median"]
    header += ["ms/view best"]
    header += ["head logit delta vs served INT8: native"] + [cpu for cpu in cpus]
    header += [f"{cpu} s/view" for cpu in cpus]
    lines = [
        f"# CLIP tower numerics ({report['measured']})",
        "",
        f"Host: {report['cpu']['model']} ({', '.join(report['cpu']['flags'])}), onnxruntime "
        f"{report['onnxruntime']}; {report['inputs']} seeded synthetic inputs natively, the first "
        f"{report['emulated_inputs']} under qemu-x86_64, one view per call as served; 1-minute "
        f"load average {report['load_average_1min']['before']:.2f} before timing, "
        f"{report['load_average_1min']['after']:.2f} after (a shared machine: compare ms within "
        "a column; the best call is the least disturbed). Cosines and logit deltas are the "
        "worst over the inputs; 'served INT8' is the pinned file run natively on this VNNI CPU, "
        "as the bundled card is served today; 'batched vs alone' runs all inputs in one call; "
        "emulated seconds per view are qemu's (TCG) time, comparable only as ratios.",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
    ]
    for name, row in report["native"].items():
        lines.append("| " + " | ".join(_cells(name, row=row, report=report)) + " |")
    lines += ["", "Low-level Keras model, image logit per input:", ""]
    lines += [f"- {where}: {logits}" for where, logits in report["lowlevel_logits"].items()]
    lines += ["", "Candidates:", ""]
    lines += [f"- `{name}`: {text}" for name, text in report["candidates"].items()]
    return "\n".join(lines) + "\n"


def _cells(name: str, *, row: dict[str, Any], report: dict[str, Any]) -> list[str]:
    emulated = [report["emulated"][cpu]["rows"].get(name) for cpu in report["emulated"]]
    served = report["native"]["int8"]["head_logits"]
    ratio = row["ms_per_view_median"] / report["native"]["int8"]["ms_per_view_median"]
    best = row["ms_per_view_min"] / report["native"]["int8"]["ms_per_view_min"]
    cells = [f"`{name}`", f"{min(row['cosine_to_fp32']):.4f}"]
    cells += [f"{min(e['cosine_to_fp32']):.4f}" if e else "-" for e in emulated]
    cells += [
        f"{min(e['cosine_to_same_candidate_native']):.6f} / "
        f"{e['head_logit_delta_vs_same_candidate_native_max']:.4f}"
        if e
        else "-"
        for e in emulated
    ]
    cells += [f"{min(row['cosine_batched_vs_alone']):.6f}"]
    cells += [f"{row['ms_per_view_median']} ({ratio:.2f}x INT8)"]
    cells += [f"{row['ms_per_view_min']} ({best:.2f}x INT8)"]
    cells += [f"{largest_gap(row['head_logits'], served):.3f}"]
    cells += [f"{e['head_logit_delta_max']:.3f}" if e else "-" for e in emulated]
    cells += [f"{e['seconds_per_view']}" if e else "-" for e in emulated]
    return cells


if __name__ == "__main__":
    typer.run(main)
