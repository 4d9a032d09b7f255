"""What `deepcatcher-check` does, from its options to its exit status."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from deepcatcher_client import ApiError, Client, DeepcatcherError
from deepcatcher_client.checker.files import (
    ImageFile,
    image_files,
    link_key,
    read_links,
    split_targets,
)
from deepcatcher_client.checker.output import (
    OutputFormat,
    exit_code,
    link_outcomes,
    outcomes,
    render,
    summary,
)
from deepcatcher_client.checker.run import Checker, Sizes
from deepcatcher_client.checker.settings import load_settings
from deepcatcher_client.checker.state import load_state, state_path_for

ERROR_EXIT = 2


@dataclass(frozen=True, slots=True)
class CheckOptions:
    """The command line's options."""

    targets: list[str]
    links_file: Path | None
    server: str | None
    output_format: OutputFormat
    output: Path | None
    state: Path | None
    config: Path | None
    bulk_over: int
    job_size: int
    progress: bool


def run_check(options: CheckOptions) -> int:
    """Check every image the options name; write the results; return the exit status."""
    errors = Console(stderr=True, soft_wrap=True)
    paths, links = split_targets(options.targets)
    try:
        settings = load_settings(config_file=options.config)
        images = image_files(paths)
        links += read_links(options.links_file) if options.links_file else []
    except (OSError, ValueError) as exc:
        errors.print(f"error: {exc}")
        return ERROR_EXIT
    if not images and not links:
        errors.print("error: give images, folders or links to check (or --from FILE)")
        return ERROR_EXIT
    server = options.server or settings.server
    if not server:
        errors.print("error: give --server URL (or set DEEPCATCHER_SERVER)")
        return ERROR_EXIT
    api_key = settings.api_key.get_secret_value() if settings.api_key else None
    targets = Targets(paths=paths, images=images, links=list(dict.fromkeys(links)))
    with Client(server, api_key=api_key) as client:
        return _check(
            client=client, targets=targets, options=options, console=errors, server=server
        )


@dataclass(frozen=True, slots=True)
class Targets:
    """What one run checks: image files (from the paths given) and links."""

    paths: list[Path]
    images: list[ImageFile]
    links: list[str]

    def state_keys(self) -> list[str]:
        """Each target's key in the resume file."""
        return [image.sha256 for image in self.images] + [link_key(url) for url in self.links]


def _check(
    *, client: Client, targets: Targets, options: CheckOptions, console: Console, server: str
) -> int:
    images = targets.images
    state_path = state_path_for(paths=targets.paths, state=options.state)
    state = load_state(path=state_path, server=server)
    skipped = sum(key in state.checked for key in targets.state_keys())
    sizes = Sizes(bulk_over=options.bulk_over, job=options.job_size)
    failed = False
    with _progress_bar(console=console, shown=options.progress) as bar:
        task = bar.add_task("checking", total=len(targets.state_keys()), completed=skipped)
        per_hash = _paths_per_hash(images) | {link_key(url): 1 for url in targets.links}
        checker = Checker(
            client=client,
            state=state,
            state_path=state_path,
            sizes=sizes,
            on_checked=lambda sha256: bar.advance(task, per_hash.get(sha256, 0)),
        )
        try:
            checker.run(images)
            checker.check_links(targets.links)
        except (ApiError, DeepcatcherError) as exc:
            console.print(f"error: {exc}")
            failed = True
    rows = outcomes(images=images, state=state, errors=checker.errors)
    rows += link_outcomes(links=targets.links, state=state, errors=checker.errors)
    _write(render(rows, output_format=options.output_format), output=options.output)
    console.print(summary(rows, skipped=skipped))
    return exit_code(rows, failed=failed)


def _progress_bar(*, console: Console, shown: bool) -> Progress:
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    return Progress(*columns, TimeRemainingColumn(), console=console, disable=not shown)


def _paths_per_hash(images: list[ImageFile]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for image in images:
        counts[image.sha256] = counts.get(image.sha256, 0) + 1
    return counts


def _write(text: str, *, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text)
