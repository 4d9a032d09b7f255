"""The API's and web's install, the core dependencies, leaves the detectors' runtimes to the
`inference` extra, and neither service's code reaches them. (Resolved with pip, the core pulls in
no runtime either: `pip install --dry-run --report r.json -c constraints.txt .`.)"""

from __future__ import annotations

import re
import tomllib
from typing import Any

import pytest
from packaging.requirements import Requirement

from tests.support.imports import MODULES, ROOT, import_graph, imports_of

RUNTIMES = {"tensorflow", "keras", "onnxruntime", "onnx"}
# The import names of the inference extra's packages, which the API and web must not import.
INFERENCE_IMPORTS = RUNTIMES | {"scipy", "c2pa", "pdqhash", "defusedxml", "prometheus_client"}
ENTRY_MODULES = (
    "services.api.main",
    "services.api.jobs.worker",
    "services.api.db.migrate",
    "services.web.main",
)


@pytest.fixture(scope="module")
def project() -> dict[str, Any]:
    loaded: dict[str, Any] = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return loaded


def _names(requirements: list[str]) -> set[str]:
    return {Requirement(requirement).name.lower() for requirement in requirements}


def test_the_core_install_holds_no_detector_runtime(project: dict[str, Any]) -> None:
    assert _names(project["dependencies"]) & RUNTIMES == set()


def test_the_inference_extra_holds_them_and_training_takes_it(project: dict[str, Any]) -> None:
    extras = project["optional-dependencies"]
    assert _names(extras["inference"]) >= RUNTIMES
    assert "deepcatcher[inference]" in extras["train"]


def test_training_registers_its_commands_by_entry_point(project: dict[str, Any]) -> None:
    assert project["entry-points"]["deepcatcher.commands"] == {
        "training": "training.commands:register"
    }


def _reached(roots: tuple[str, ...]) -> set[str]:
    """Every services module that importing `roots` can import, at once or later."""
    graph, reached, waiting = import_graph(), set[str](), list(roots)
    while waiting:
        module = waiting.pop()
        if module not in reached:
            reached.add(module)
            waiting.extend(graph[module])
    return reached


def test_the_api_and_web_never_import_what_only_the_inference_extra_installs() -> None:
    reached = _reached(ENTRY_MODULES)
    assert set(ENTRY_MODULES) <= set(MODULES)
    uses = {
        module: {name.split(".")[0] for name in imports_of(module, runtime_only=True)}
        & INFERENCE_IMPORTS
        for module in reached
    }
    assert {module: names for module, names in uses.items() if names} == {}


def test_every_extra_the_images_install_is_defined(project: dict[str, Any]) -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    compose = (ROOT / "docker-compose.yml").read_text()
    named = re.findall(r"ARG INFERENCE_EXTRAS=(\S+)", dockerfile)
    named += re.findall(r"INFERENCE_EXTRAS: (\S+)", compose)
    extras = {extra for value in named for extra in value.split(",")}
    assert extras >= {"inference", "gpu"}
    assert extras <= set(project["optional-dependencies"])
