"""Commands that other installed packages add to `deepcatcher`, found by entry point.

Services never import training; training registers its commands here instead, and where it is
not installed (the service images) they are simply absent.
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib.metadata import EntryPoint, entry_points

import typer

GROUP = "deepcatcher.commands"


def registered() -> list[EntryPoint]:
    """The installed entry points of the `deepcatcher.commands` group, by name."""
    return sorted(entry_points(group=GROUP), key=lambda entry: entry.name)


def add_registered(*, app: typer.Typer, entries: Iterable[EntryPoint]) -> None:
    """Let each entry point's `register(app=…)` add its commands, skipping any whose package
    is not installed; a package that is there but fails to import still raises."""
    for entry in entries:
        try:
            register = entry.load()
        except ModuleNotFoundError as error:
            if error.name != entry.module.partition(".")[0]:
                raise
            continue
        register(app=app)
