"""The services' import graph, read from the source with ast: lazy imports count too."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in sorted((ROOT / "services").rglob("*.py"))}


def _type_checking_only(tree: ast.Module) -> set[int]:
    """The ids of nodes under `if TYPE_CHECKING:`, which never run."""
    guarded = (node for node in ast.walk(tree) if isinstance(node, ast.If))
    blocks = (node.body for node in guarded if "TYPE_CHECKING" in ast.unparse(node.test))
    return {id(inner) for body in blocks for statement in body for inner in ast.walk(statement)}


def _imported(node: ast.AST, *, module: str) -> Iterator[str]:
    """The dotted names one import statement reaches, relative ones resolved."""
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
    elif isinstance(node, ast.ImportFrom):
        base = node.module or ""
        if node.level:
            package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
            anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
            base = ".".join([*anchor, *filter(None, [node.module])])
        yield from (f"{base}.{alias.name}" for alias in node.names)


def imports_of(module: str, *, runtime_only: bool) -> set[str]:
    """Every dotted name `module` imports, at its top or inside functions."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    skipped = _type_checking_only(tree) if runtime_only else set()
    nodes = (node for node in ast.walk(tree) if id(node) not in skipped)
    return {name for node in nodes for name in _imported(node, module=module)}


def _as_module(name: str) -> str | None:
    """The services module a dotted name lives in (`a.b.Thing` is in `a.b`), if any."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def import_graph() -> dict[str, set[str]]:
    """Each services module's runtime imports of other services modules."""
    graph: dict[str, set[str]] = {}
    for module in MODULES:
        targets = {_as_module(name) for name in imports_of(module, runtime_only=True)}
        graph[module] = {target for target in targets if target and target != module}
    return graph


def a_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle in `graph`, as the modules around it, or None."""
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> list[str] | None:
        if module in path:
            return [*path[path.index(module) :], module]
        if module in done:
            return None
        for target in sorted(graph[module]):
            if cycle := visit(target, [*path, module]):
                return cycle
        done.add(module)
        return None

    return next(filter(None, (visit(module, []) for module in sorted(graph))), None)
