"""Benchmark the inference service (same as `deepcatcher bench inference`).

    .venv/bin/python benchmarks/inference.py --help
    .venv/bin/python benchmarks/inference.py --requests 64 --concurrency 1 --concurrency 4 \
        --concurrency 16 --concurrency 64

Starts the service with uvicorn, drives it with concurrent clients sending camera-sized JPEGs,
measures batching off and the in-process ceiling on the same machine, and writes
benchmarks/results/inference-<host>.json and .md. The code lives in services/inference/benchmark/.
"""

from __future__ import annotations

import typer

from services.inference.cli import bench

if __name__ == "__main__":
    typer.run(bench)
