"""The `deepcatcher` command: run the services, manage the database and users."""

from __future__ import annotations

import asyncio
import getpass
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Annotated

import typer
from pydantic import ValidationError

from services.api.config import ApiSettings
from services.common.problems import ProblemError

app = typer.Typer(help="Deepcatcher: was this image made or edited by AI?", no_args_is_help=True)
db_app = typer.Typer(help="Manage the API service's database.", no_args_is_help=True)
users_app = typer.Typer(help="Manage user accounts.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")


@dataclass(frozen=True, slots=True)
class ServiceSpec:
    """One service `serve` starts: its ASGI factory and where it listens."""

    name: str
    factory: str
    host: str
    port: int


def _service_specs() -> list[ServiceSpec]:
    from services.inference.config import InferenceSettings

    inference, api = InferenceSettings(), ApiSettings()
    return [
        ServiceSpec(
            "inference", "services.inference.main:create_app", inference.host, inference.port
        ),
        ServiceSpec("api", "services.api.main:create_app", api.host, api.port),
    ]


def _start(spec: ServiceSpec) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "uvicorn", spec.factory, "--factory"]
    command += ["--host", spec.host, "--port", str(spec.port), "--no-access-log"]
    return subprocess.Popen(command)  # noqa: S603 - our own interpreter and module


def _stop(processes: list[subprocess.Popen[bytes]], *, grace_s: float = 10.0) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    for process in processes:
        try:
            process.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            process.kill()


@app.command()
def serve() -> None:
    """Start every service; Ctrl-C stops them all."""
    specs = _service_specs()
    processes = [_start(spec) for spec in specs]
    for spec in specs:
        typer.echo(f"{spec.name:>9}: http://{spec.host}:{spec.port}")
    try:
        while all(process.poll() is None for process in processes):
            time.sleep(0.5)
        failed = [s.name for s, p in zip(specs, processes, strict=True) if p.poll() is not None]
        typer.echo(f"stopped: {', '.join(failed)} exited; stopping the others.", err=True)
        raise typer.Exit(1)
    except KeyboardInterrupt:
        typer.echo("stopping…")
    finally:
        _stop(processes)


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    from services.api.db.migrate import run_upgrade

    asyncio.run(run_upgrade(url=ApiSettings().database_url, revision=revision))
    typer.echo(f"database at {revision}")


@db_app.command("downgrade")
def db_downgrade(revision: str) -> None:
    """Revert migrations down to REVISION ('base' removes every table)."""
    from services.api.db.migrate import run_downgrade

    asyncio.run(run_downgrade(url=ApiSettings().database_url, revision=revision))
    typer.echo(f"database at {revision}")


@users_app.command("create")
def users_create(
    email: Annotated[str, typer.Option(prompt=True)],
    admin: Annotated[bool, typer.Option("--admin", help="Give the user the admin role.")] = False,
    password: Annotated[
        str | None, typer.Option(help="Read from the terminal when not given.")
    ] = None,
) -> None:
    """Create a user (an admin with --admin)."""
    from services.api.users.service import create_user

    secret = password or getpass.getpass("Password: ")
    try:
        user = asyncio.run(
            create_user(settings=ApiSettings(), email=email, password=secret, admin=admin)
        )
    except ValidationError as exc:
        messages = "; ".join(f"{e['loc'][-1]}: {e['msg']}" for e in exc.errors())
        raise typer.BadParameter(messages) from exc
    except ProblemError as exc:
        typer.echo(f"error: {exc.detail}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"created {user.role.value} {user.email} ({user.id})")


if __name__ == "__main__":
    app()
