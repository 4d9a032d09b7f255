"""The inference benchmark: the service over HTTP, batching off, and the in-process ceiling."""

from __future__ import annotations

from services.inference.benchmark.run import BenchConfig, run_benchmark

__all__ = ["BenchConfig", "run_benchmark"]
