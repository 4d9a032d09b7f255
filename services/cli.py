"""The `deepcatcher` command: run the services, manage the database and users."""

from __future__ import annotations

import asyncio
import getpass
import signal
import sys
from dataclasses import dataclass
from typing import Annotated

import typer
from deepcatcher_client.checker.cli import check as check_command
from pydantic import ValidationError

from services.api.config import ApiSettings
from services.api.known_images.cli import known_app
from services.commands import add_registered, registered
from services.common.problems import ProblemError
from services.common.processes import Backoff, Child, Supervisor
from services.inference import cli as inference_cli
from services.inference.selfcheck.cli import self_check as self_check_command

app = typer.Typer(help="Deepcatcher: was this image made or edited by AI?", no_args_is_help=True)
db_app = typer.Typer(help="Manage the API service's database.", no_args_is_help=True)
users_app = typer.Typer(help="Manage user accounts.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(known_app, name="known-images")
# Training's commands (train, calibrate, evaluate, export, data, semantic), where it is installed.
add_registered(app=app, entries=registered())
app.command("predict")(inference_cli.predict)
app.add_typer(inference_cli.bench_app, name="bench")
# An alias of the SDK's `deepcatcher-check`.
app.command("check")(check_command)
app.command("self-check")(self_check_command)


SERVICE_NAMES = ("inference", "api", "web", "worker")


@dataclass(frozen=True, slots=True)
class ServiceSpec:
    """One process `serve` starts: its command and, for HTTP services, its address."""

    name: str
    command: list[str]
    url: str | None = None


def _http_service(name: str, factory: str, host: str, port: int) -> ServiceSpec:
    # The apps decide whose X-Forwarded-For to believe (their forwarded_allow_ips), not uvicorn.
    command = [sys.executable, "-m", "uvicorn", factory, "--factory", "--no-access-log"]
    command += ["--no-proxy-headers"]
    command += ["--host", host, "--port", str(port)]
    return ServiceSpec(name=name, command=command, url=f"http://{host}:{port}")


def _service_specs(only: set[str]) -> list[ServiceSpec]:
    from services.inference.config import InferenceSettings
    from services.web.config import WebSettings

    inference, api, web = InferenceSettings(), ApiSettings(), WebSettings()
    specs = [
        _http_service(
            "inference", "services.inference.main:create_app", inference.host, inference.port
        ),
        _http_service("api", "services.api.main:create_app", api.host, api.port),
        _http_service("web", "services.web.main:create_app", web.host, web.port),
    ]
    if "worker" in only and _queue_reachable(api):
        specs.append(ServiceSpec("worker", [sys.executable, "-m", "services.cli", "worker"]))
    return [spec for spec in specs if spec.name in only]


def _queue_reachable(settings: ApiSettings) -> bool:
    from services.api.jobs.queue import JobQueue

    async def ping() -> bool:
        queue = JobQueue(url=settings.queue_url, queue_name=settings.queue_name)
        try:
            await queue.ensure_available()
        except ProblemError:
            typer.echo(f"bulk jobs are off: no queue at {settings.queue_url} (they answer 503)")
            return False
        finally:
            await queue.close()
        return True

    return asyncio.run(ping())


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _announce(specs: list[ServiceSpec]) -> None:
    for spec in specs:
        typer.echo(f"{spec.name:>9}: {spec.url or 'running'}")
    if web := next((spec.url for spec in specs if spec.name == "web"), None):
        typer.echo(f"\nOpen {web} in your browser.")


def _log(message: str) -> None:
    typer.echo(f"serve: {message}", err=True)


@app.command()
def serve(
    only: Annotated[
        list[str] | None,
        typer.Option("--only", help=f"Start just these ({', '.join(SERVICE_NAMES)}); repeatable."),
    ] = None,
) -> None:
    """Start every service (and a bulk-job worker when the queue is up) and restart any that dies;
    Ctrl-C stops them all."""
    wanted = set(only or SERVICE_NAMES)
    if unknown := wanted - set(SERVICE_NAMES):
        raise typer.BadParameter(f"unknown service: {', '.join(sorted(unknown))}")
    specs = _service_specs(wanted)
    # SIGTERM (a supervisor, `kill`) stops the children as Ctrl-C does; SIGINT is set too because
    # a shell starts background commands with it ignored, which Python would then keep.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _interrupt)
    children = [Child(name=spec.name, command=spec.command) for spec in specs]
    supervisor = Supervisor(children, backoff=Backoff(), log=_log)
    try:
        supervisor.start()
        _announce(specs)
        supervisor.watch()
    except KeyboardInterrupt:
        typer.echo("stopping…")
    finally:
        supervisor.stop()


@app.command()
def worker(
    check: Annotated[
        bool, typer.Option("--check", help="Exit 0 if a worker of this queue is alive, else 1.")
    ] = False,
) -> None:
    """Run a bulk-job worker; start as many as you like, on any machine that reaches the queue."""
    from services.api.jobs.worker import healthy, run

    settings = ApiSettings()
    if check:
        raise typer.Exit(0 if healthy(settings) else 1)
    run(settings)


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
