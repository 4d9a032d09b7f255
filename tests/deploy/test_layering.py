"""Imports run one way: training imports the services, no service imports training, and the
services' modules import each other without a cycle. Read from the source, lazy imports too."""

from __future__ import annotations

from tests.support.imports import MODULES, a_cycle, import_graph, imports_of


def _in_training(name: str) -> bool:
    return name == "training" or name.startswith("training.")


def test_no_service_module_imports_training() -> None:
    importers = {
        module: sorted(filter(_in_training, imports_of(module, runtime_only=False)))
        for module in MODULES
    }
    assert {module: names for module, names in importers.items() if names} == {}


def test_the_services_modules_import_each_other_without_a_cycle() -> None:
    assert a_cycle(import_graph()) is None


def test_the_cycle_finder_finds_a_cycle_and_resolves_names_to_modules() -> None:
    graph = import_graph()
    backbone = "services.inference.detectors.semantic.backbone"
    identity = "services.inference.detectors.semantic.identity"
    assert identity in graph[backbone]
    graph[identity].add(backbone)
    cycle = a_cycle(graph)
    assert cycle is not None
    assert cycle[0] == cycle[-1]
    assert set(cycle) == {backbone, identity}
