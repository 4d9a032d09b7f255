"""`deepcatcher-check PATH|URL... --server URL`: verdicts for files, folders and links."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from deepcatcher_client.checker.command import CheckOptions, run_check
from deepcatcher_client.checker.output import OutputFormat


def check(
    targets: Annotated[
        list[str] | None,
        typer.Argument(
            help="Images, folders walked recursively, or http(s) links to images or pages.",
            show_default=False,
        ),
    ] = None,
    links_file: Annotated[
        Path | None,
        typer.Option("--from", help="A text file of links to check, one a line."),
    ] = None,
    server: Annotated[
        str | None,
        typer.Option(help="The API's URL (else DEEPCATCHER_SERVER or `server` in the config)."),
    ] = None,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help="How to write the results.")
    ] = OutputFormat.table,
    output: Annotated[
        Path | None, typer.Option(help="Write the results here instead of standard output.")
    ] = None,
    state: Annotated[
        Path | None,
        typer.Option(help="The resume file (default: .deepcatcher-check.json in the folder)."),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            help="A TOML file with `server` and `api_key` (~/.config/deepcatcher/client.toml)."
        ),
    ] = None,
    bulk_over: Annotated[
        int, typer.Option(min=0, help="Send more than this many images as bulk jobs.")
    ] = 50,
    job_size: Annotated[int, typer.Option(min=1, max=500, help="Images per bulk job.")] = 100,
    progress: Annotated[bool, typer.Option(help="Show a progress bar on standard error.")] = True,
) -> None:
    """Check images against a server; exit 0 if none is fake, 1 if one is, 2 on errors.

    Files, folders and links may be mixed; the server fetches each link (a page's og:image).
    The API key comes from DEEPCATCHER_API_KEY or the config file.

    A re-run skips files whose content was already checked (kept by sha256 in the resume file)
    and links already checked.
    """
    options = CheckOptions(
        targets=targets or [],
        links_file=links_file,
        server=server,
        output_format=output_format,
        output=output,
        state=state,
        config=config,
        bulk_over=bulk_over,
        job_size=job_size,
        progress=progress,
    )
    raise typer.Exit(run_check(options))


# `deepcatcher-check`; the server's `deepcatcher check` runs the same function.
app = typer.Typer(add_completion=False)
app.command()(check)
