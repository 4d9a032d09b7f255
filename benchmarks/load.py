"""Load-test the running stack (API + inference on PostgreSQL) at fixed arrival rates.

    .venv/bin/pip install -e '.[load]'
    .venv/bin/python benchmarks/load.py --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/test

Starts inference and the API as real processes on a fresh database, then runs Locust headless
(benchmarks/load/locustfile.py) at each rate for a fixed time, and writes
benchmarks/results/load-<host>.{json,md}: throughput, p50/p95/p99, error and 5xx rates, and the
first rate at which p99 crosses 1 s.
"""

from __future__ import annotations

import asyncio
import csv
import json
import os
import socket
import subprocess
import sys
import uuid
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from services.api.db.migrate import run_upgrade
from services.common.processes import free_port, wait_until_ready

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"


async def _fresh_database(server_url: str) -> str:
    name = f"deepcatcher_load_{uuid.uuid4().hex[:10]}"
    engine = create_async_engine(server_url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    await engine.dispose()
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    await run_upgrade(url=url)
    return url


def _start(stack: ExitStack, factory: str, port: int, env: dict[str, str], log: Path) -> None:
    command = [sys.executable, "-m", "uvicorn", factory, "--factory", "--port", str(port)]
    command += ["--no-access-log", "--workers", "1"]
    output = stack.enter_context(log.open("wb"))
    process = subprocess.Popen(
        command, env={**os.environ, **env}, stdout=output, stderr=subprocess.STDOUT
    )
    stack.callback(process.wait, 30)
    stack.callback(process.terminate)


def _run_locust(*, host: str, users: int, seconds: int, prefix: Path) -> dict[str, Any]:
    locustfile = ROOT / "benchmarks" / "load" / "locustfile.py"
    command = [sys.executable, "-m", "locust", "-f", str(locustfile), "--headless"]
    command += ["-u", str(users), "-r", str(users), "-t", f"{seconds}s", "--host", host]
    command += ["--csv", str(prefix), "--only-summary", "--loglevel", "WARNING"]
    subprocess.run(command, check=False, capture_output=True)
    return _summary(prefix)


def _summary(prefix: Path) -> dict[str, Any]:
    with Path(f"{prefix}_stats.csv").open(newline="") as handle:
        total = next(row for row in csv.DictReader(handle) if row["Name"] == "Aggregated")
    with Path(f"{prefix}_failures.csv").open(newline="") as handle:
        failures = list(csv.DictReader(handle))
    server_errors = sum(
        int(row["Occurrences"])
        for row in failures
        if "50" in row["Error"] and "HTTPError" in row["Error"]
    )
    requests = int(total["Request Count"])
    return {
        "requests": requests,
        "throughput_rps": round(float(total["Requests/s"]), 2),
        "p50_ms": float(total["50%"]),
        "p95_ms": float(total["95%"]),
        "p99_ms": float(total["99%"]),
        "error_rate": round(int(total["Failure Count"]) / max(requests, 1), 4),
        "server_errors": server_errors,
        "failures": {row["Error"][:80]: int(row["Occurrences"]) for row in failures},
    }


def _markdown(report: dict[str, Any]) -> str:
    lines = [
        f"# Load test on {report['host']} ({report['cpus']} CPUs), {report['measured']}",
        "",
        f"Mix per user and second: 4 single-image checks (640x480 JPEG) : 3 history pages : "
        f"2 prediction reads : 1 report; each rate held {report['seconds']} s on PostgreSQL.",
        "",
        "| users (≈ req/s offered) | throughput req/s | p50 ms | p95 ms | p99 ms | errors | 5xx |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in report["rates"]:
        lines.append(
            f"| {row['users']} | {row['throughput_rps']} | {row['p50_ms']:.0f} "
            f"| {row['p95_ms']:.0f} | {row['p99_ms']:.0f} | {row['error_rate']:.1%} "
            f"| {row['server_errors']} |"
        )
    crossed = report["p99_crosses_1s_at_users"]
    lines += [
        "",
        f"p99 first crosses 1 s at: {crossed if crossed else 'not within the rates tried'} users.",
    ]
    return "\n".join(lines) + "\n"


def main(
    database_url: Annotated[
        str, typer.Option(help="A PostgreSQL server; a fresh database is made.")
    ],
    rates: Annotated[
        str, typer.Option(help="Users (≈ requests/s) to try, comma-separated.")
    ] = "1,2,4,6,8",
    seconds: Annotated[int, typer.Option(help="How long each rate is held.")] = 45,
) -> None:
    """Run the load test and write the report."""
    url = asyncio.run(_fresh_database(database_url))
    inference_port, api_port = free_port(), free_port()
    folder = RESULTS / "load-logs"
    folder.mkdir(parents=True, exist_ok=True)
    env = {
        "DEEPCATCHER_API_DATABASE_URL": url,
        "DEEPCATCHER_API_IMAGE_DIR": str(folder / "images"),
        "DEEPCATCHER_API_INFERENCE_URL": f"http://127.0.0.1:{inference_port}",
        "DEEPCATCHER_API_RATE_LIMIT_USER": "100000/minute",
        "DEEPCATCHER_API_RATE_LIMIT_AUTH": "100000/minute",
    }
    results = []
    with ExitStack() as stack:
        _start(
            stack,
            "services.inference.main:create_app",
            inference_port,
            env,
            folder / "inference.log",
        )
        _start(stack, "services.api.main:create_app", api_port, env, folder / "api.log")
        wait_until_ready(f"http://127.0.0.1:{api_port}/readyz")
        for users in [int(r) for r in rates.split(",")]:
            row = _run_locust(
                host=f"http://127.0.0.1:{api_port}",
                users=users,
                seconds=seconds,
                prefix=folder / f"u{users}",
            )
            results.append({"users": users, **row})
            typer.echo(f"{users} users: {row}")
    crossed = next((r["users"] for r in results if r["p99_ms"] > 1000), None)
    report = {
        "host": socket.gethostname(),
        "cpus": os.cpu_count(),
        "measured": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": seconds,
        "rates": results,
        "p99_crosses_1s_at_users": crossed,
    }
    stem = RESULTS / f"load-{socket.gethostname()}"
    stem.with_suffix(".json").write_text(json.dumps(report, indent=2) + "\n")
    stem.with_suffix(".md").write_text(_markdown(report))
    typer.echo(_markdown(report))


if __name__ == "__main__":
    typer.run(main)
