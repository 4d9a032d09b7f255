"""Run the whole benchmark and write benchmarks/results/inference-<host>.json and .md."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import platform
import re
import socket
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from services.inference.benchmark.ceiling import Ceiling, measure_ceiling, merge_ceilings
from services.inference.benchmark.images import camera_like_jpeg
from services.inference.benchmark.in_process import InProcessModel, load_in_process
from services.inference.benchmark.load import STAGES, LoadResult, cpu_share, measure_load
from services.inference.benchmark.model import stand_in_model
from services.inference.benchmark.paired import PairedLatency, measure_paired
from services.inference.benchmark.server import running_service
from services.inference.config import InferenceSettings
from services.inference.detectors.lowlevel.card import ModelCard, card_path_for, sha256_of


@dataclass(frozen=True, slots=True)
class BenchConfig:
    """What to measure; every size is configurable so a run fits the time at hand."""

    model_path: Path | None = None
    concurrency: list[int] = field(default_factory=lambda: [1, 4, 16, 64])
    requests: int = 512
    width: int = 1600
    height: int = 1200
    quality: int = 90
    distinct_images: int = 8
    batch_max_size: int = 16
    batch_max_wait_ms: float = 5.0
    ceiling_batch_sizes: list[int] = field(default_factory=lambda: [1, 4, 8, 16])
    server_settings: dict[str, str] = field(default_factory=dict)
    out: Path = Path("benchmarks/results")


def run_benchmark(config: BenchConfig) -> str:
    """Measure everything, write the JSON and Markdown results, and return the Markdown."""
    started, load_before = time.perf_counter(), os.getloadavg()
    with tempfile.TemporaryDirectory() as scratch:
        model_path, stand_in = _model(config, scratch=Path(scratch))
        images = [
            camera_like_jpeg(
                width=config.width, height=config.height, quality=config.quality, seed=i
            )
            for i in range(config.distinct_images)
        ]
        # The ceiling is measured before and after the service runs and averaged, because
        # this VM's speed drifts by tens of percent over minutes even with nothing else running.
        model = load_in_process(
            InferenceSettings.model_validate({**config.server_settings, "model_path": model_path})
        )
        before = _ceiling(config, model=model, images=images)
        loads, paired = _service_runs(config, model=model, images=images)
        after = _ceiling(config, model=model, images=images)
        ceiling = merge_ceilings(before, after)
        results = _results(
            config,
            model_path=model_path,
            stand_in=stand_in,
            images=images,
            ceiling=ceiling,
            loads=loads,
            paired=paired,
            seconds=time.perf_counter() - started,
        )
        # Other work on the machine skews every figure; the load average says how much.
        results["machine"]["load_average_before"] = [round(x, 2) for x in load_before]
        results["machine"]["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
        results["ceiling"]["best_images_per_s_before_after"] = [
            before.best.images_per_s,
            after.best.images_per_s,
        ]
    return _write(results, out=config.out)


def _ceiling(config: BenchConfig, *, model: InProcessModel, images: list[bytes]) -> Ceiling:
    with cpu_share() as other_cpu:
        ceiling = measure_ceiling(
            model=model,
            images=images,
            batch_sizes=config.ceiling_batch_sizes,
            min_images=max(64, max(config.ceiling_batch_sizes) * 4),
        )
    return dataclasses.replace(ceiling, other_cpu_percent=other_cpu[0])


def _model(config: BenchConfig, *, scratch: Path) -> tuple[Path, bool]:
    path = config.model_path or InferenceSettings().model_path
    if path.exists() and card_path_for(path).exists():
        return path, False
    return stand_in_model(scratch), True


def _service_runs(
    config: BenchConfig, *, model: InProcessModel, images: list[bytes]
) -> tuple[list[LoadResult], PairedLatency]:
    model_path = model.settings.model_path
    # Both services run side by side and are measured in turn at each level, so outside load
    # that changes during the run hits batching on and off alike (an idle service costs no CPU).
    modes = {"batched": config.batch_max_size, "unbatched": 1}
    with contextlib.ExitStack() as stack:
        servers = {
            mode: stack.enter_context(
                running_service(settings=_server_settings(config, model_path, batch_size=size))
            )
            for mode, size in modes.items()
        }
        results = [
            measure_load(
                servers[mode],
                mode=mode,
                images=images,
                concurrency=concurrency,
                requests=max(config.requests, 2 * concurrency),
            )
            for concurrency in config.concurrency
            for mode in modes
        ]
        paired = measure_paired(
            servers["batched"], model=model, images=images, samples=config.requests
        )
    return sorted(results, key=lambda r: (r.mode, r.concurrency)), paired


def _server_settings(config: BenchConfig, model_path: Path, *, batch_size: int) -> dict[str, str]:
    return {
        "model_path": str(model_path),
        "batch_max_size": str(batch_size),
        "batch_max_wait_ms": str(config.batch_max_wait_ms),
        "queue_max_size": str(max(max(config.concurrency) * 2, config.batch_max_size)),
        "log_level": "WARNING",
        "max_image_pixels": str(max(50_000_000, config.width * config.height)),
        **config.server_settings,
    }


def _results(
    config: BenchConfig,
    *,
    model_path: Path,
    stand_in: bool,
    images: list[bytes],
    ceiling: Ceiling,
    loads: list[LoadResult],
    paired: PairedLatency,
    seconds: float,
) -> dict[str, Any]:
    card = ModelCard.model_validate_json(card_path_for(model_path).read_bytes())
    return {
        "host": _host(),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "model": {
            "name": card.name,
            "version": sha256_of(model_path),
            "crop_size": card.input.crop_size,
            "max_crops": card.input.max_crops,
            "stand_in": stand_in,
        },
        "config": {
            k: str(v) if isinstance(v, Path) else v for k, v in dataclasses.asdict(config).items()
        },
        "image_bytes_mean": round(sum(map(len, images)) / len(images)),
        "ceiling": {
            "rows": [dataclasses.asdict(row) for row in ceiling.rows],
            "best_images_per_s": ceiling.best.images_per_s,
            "best_batch_size": ceiling.best.batch_size,
            "single_image_ms": round(ceiling.single_image_ms, 1),
            "single_image_p99_ms": round(ceiling.single_image_p99_ms, 1),
            "other_stages_ms": ceiling.stage_ms,
            "other_cpu_percent": ceiling.other_cpu_percent,
        },
        "service": [dataclasses.asdict(load) for load in loads],
        "paired_single_image": dataclasses.asdict(paired),
        "targets": _targets(ceiling=ceiling, loads=loads, paired=paired),
        "seconds": round(seconds, 1),
    }


def _targets(
    *, ceiling: Ceiling, loads: list[LoadResult], paired: PairedLatency
) -> dict[str, float | None]:
    def rate(mode: str, concurrency: int) -> float | None:
        found = [r for r in loads if (r.mode, r.concurrency) == (mode, concurrency)]
        return found[0].images_per_s if found else None

    single = [r.p99_ms for r in loads if (r.mode, r.concurrency) == ("batched", 1)]
    return {
        "c16_vs_ceiling": _ratio(rate("batched", 16), ceiling.best.images_per_s),
        "c16_batched_vs_unbatched": _ratio(rate("batched", 16), rate("unbatched", 16)),
        "c1_p99_vs_in_process_single": _ratio(
            single[0] if single else None, ceiling.single_image_ms
        ),
        "paired_c1_p99_vs_in_process_median": _ratio(
            paired.service_p99_ms, paired.in_process_p50_ms
        ),
        "paired_c1_p99_vs_in_process_p99": _ratio(paired.service_p99_ms, paired.in_process_p99_ms),
    }


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return round(numerator / denominator, 3)


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "-", socket.gethostname()) or "host"


def _write(results: dict[str, Any], *, out: Path) -> str:
    out.mkdir(parents=True, exist_ok=True)
    stem = out / f"inference-{results['host']}"
    stem.with_suffix(".json").write_text(json.dumps(results, indent=2) + "\n")
    markdown = render_markdown(results)
    stem.with_suffix(".md").write_text(markdown)
    return markdown


SERVICE_HEADER = (
    "| mode | clients | images/s | p50 ms | p95 ms | p99 ms | mean batch "
    "| server CPU % | client CPU % | other CPU % | peak RSS MB |"
)


def render_markdown(results: dict[str, Any]) -> str:
    """The results as Markdown tables."""
    return "\n".join(
        [
            *_intro(results),
            SERVICE_HEADER,
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
            *map(_service_row, results["service"]),
            "",
            *_ceiling_lines(results["ceiling"]),
            *_paired_lines(results["paired_single_image"]),
            *_targets_lines(results["targets"]),
            "Server-side mean ms per image and stage (batched; model includes its queue wait):",
            "",
            "| clients | " + " | ".join(STAGES) + " |",
            "|---:|" + "---:|" * len(STAGES),
            *(_stage_row(r) for r in results["service"] if r["mode"] == "batched"),
            "",
        ]
    )


def _intro(results: dict[str, Any]) -> list[str]:
    model, config = results["model"], results["config"]
    kind = "untrained stand-in" if model["stand_in"] else "trained"
    return [
        f"# Inference benchmark on {results['host']} ({results['machine']['cpus']} CPUs)",
        "",
        f"Model `{model['name']}` ({kind}), {model['max_crops']} crops of {model['crop_size']} px "
        f"per image; {config['width']}x{config['height']} JPEG q{config['quality']} "
        f"(mean {results['image_bytes_mean'] // 1024} KiB). Measured {results['measured_at']}; "
        f"1-minute load average {results['machine']['load_average_before'][0]} before, "
        f"{results['machine']['load_average_after'][0]} after. CPU % is of one core; "
        "'other' is what the rest of the machine used meanwhile (a shared machine skews results).",
        "",
    ]


def _service_row(row: dict[str, Any]) -> str:
    cells = [
        row["mode"],
        row["concurrency"],
        row["images_per_s"],
        row["p50_ms"],
        row["p95_ms"],
        row["p99_ms"],
        row["mean_batch_size"],
        row["server_cpu_percent"],
        row["client_cpu_percent"],
        row["other_cpu_percent"],
        row["peak_rss_mb"],
    ]
    return "| " + " | ".join(map(str, cells)) + " |"


def _ceiling_lines(ceiling: dict[str, Any]) -> list[str]:
    columns = ("batch_size", "images_per_s", "decode_and_crops_ms", "model_ms")
    rows = ["| " + " | ".join(str(r[c]) for c in columns) + " |" for r in ceiling["rows"]]
    return [
        "In-process ceiling (decode + crops on the worker pool, then both networks; no HTTP), "
        f"mean of a run before ({ceiling['best_images_per_s_before_after'][0]} images/s at best) "
        f"and after ({ceiling['best_images_per_s_before_after'][1]}) the service runs:",
        "",
        "| batch | images/s | decode+crops ms | networks ms |",
        "|---:|---:|---:|---:|",
        *rows,
        "",
        f"Other processes used {ceiling['other_cpu_percent']} % CPU meanwhile (the larger run). "
        f"Single image in-process: median {ceiling['single_image_ms']} ms, "
        f"p99 {ceiling['single_image_p99_ms']} ms. The service also runs these per image "
        f"(ms), which the ceiling leaves out: {ceiling['other_stages_ms']}.",
        "",
    ]


def _paired_lines(paired: dict[str, Any]) -> list[str]:
    return [
        f"One client, {paired['samples']} images, each sent to the batched service and then run "
        "through the whole pipeline in this process (every signal, as `deepcatcher predict`), "
        "so that the machine's drift hits both alike:",
        "",
        "| | p50 ms | p99 ms |",
        "|---|---:|---:|",
        f"| service over HTTP | {paired['service_p50_ms']} | {paired['service_p99_ms']} |",
        f"| in-process | {paired['in_process_p50_ms']} | {paired['in_process_p99_ms']} |",
        "",
    ]


def _targets_lines(targets: dict[str, Any]) -> list[str]:
    return [
        f"- 16 clients vs the in-process ceiling: {targets['c16_vs_ceiling']}",
        f"- 16 clients, batching on vs off: {targets['c16_batched_vs_unbatched']}",
        f"- p99 at 1 client vs in-process single image: {targets['c1_p99_vs_in_process_single']}",
        "- paired, service p99 vs in-process median: "
        f"{targets['paired_c1_p99_vs_in_process_median']}",
        f"- paired, service p99 vs in-process p99: {targets['paired_c1_p99_vs_in_process_p99']}",
        "",
    ]


def _stage_row(row: dict[str, Any]) -> str:
    return f"| {row['concurrency']} | " + " | ".join(str(row["stage_ms"][s]) for s in STAGES) + " |"
