"""One client: the service over HTTP and the same pipeline in this process, sample by sample."""

from __future__ import annotations

import time
from dataclasses import dataclass

import httpx
import numpy as np

from services.inference.benchmark.in_process import InProcessModel, whole_pipeline_ms
from services.inference.benchmark.server import Server
from services.inference.detectors.evidence.provenance.c2pa import C2paInspector

WARM_UP = 4  # pairs not counted: the first calls of a fresh client and pipeline pay set-up costs


@dataclass(frozen=True, slots=True)
class PairedLatency:
    """Single-image latency percentiles over HTTP and in-process, sampled alternately."""

    samples: int
    service_p50_ms: float
    service_p99_ms: float
    in_process_p50_ms: float
    in_process_p99_ms: float


def measure_paired(
    server: Server, *, model: InProcessModel, images: list[bytes], samples: int
) -> PairedLatency:
    """Alternate one request to `server` with one in-process run, so drift hits both alike."""
    c2pa = C2paInspector(trust_anchors_path=None)
    service, in_process = [], []
    with httpx.Client(base_url=server.url, timeout=60) as client:
        for index in range(-WARM_UP, samples):
            data = images[index % len(images)]
            service.append(_request_ms(client, data=data))
            in_process.append(whole_pipeline_ms(data, model=model, c2pa=c2pa))
    service, in_process = service[WARM_UP:], in_process[WARM_UP:]
    return PairedLatency(
        samples=samples,
        service_p50_ms=_percentile(service, 50),
        service_p99_ms=_percentile(service, 99),
        in_process_p50_ms=_percentile(in_process, 50),
        in_process_p99_ms=_percentile(in_process, 99),
    )


def _request_ms(client: httpx.Client, *, data: bytes) -> float:
    started = time.perf_counter()
    response = client.post("/v1/predict", files={"file": ("image.jpg", data, "image/jpeg")})
    response.raise_for_status()
    return (time.perf_counter() - started) * 1000


def _percentile(values: list[float], q: float) -> float:
    return round(float(np.percentile(values, q)), 1)
