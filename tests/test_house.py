"""The house rules: unique installed names, dependencies that point one way, no import cycles,
and agent commands that reach ``paint-gym`` through entry points as plug-ins do (tested in test_cli.py).

The import graph is read from the source tree with ``ast`` (module-level and function-level
imports alike; only ``if TYPE_CHECKING:`` blocks, which never run, are left out of the cycle
check), so a cycle hidden by an import inside a function still fails here.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.metadata import distribution
from pathlib import Path

import pytest

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: pytest's own dependency reads TOML
    import tomli as tomllib

from .helpers import ROOT

#: Source folder -> the import name it is installed under.
SOURCES = {"paint_gym": "paint_gym", "agents": "paint_gym_agents"}
#: Top-level names that collide with other distributions or mean nothing on their own.
GENERIC = {
    "agents",
    "agent",
    "tests",
    "test",
    "benchmarks",
    "benchmark",
    "scripts",
    "examples",
    "docs",
    "utils",
    "common",
    "src",
    "lib",
    "data",
    "envs",
    "models",
    "painters",
    "cli",
}
#: What nothing under paint_gym/ may import: the library's users.
USERS = {"paint_gym_agents", "agents", "benchmarks"}


# ----------------------------------------------------------------------------------------
# 1. Unique installed names
# ----------------------------------------------------------------------------------------


def installed_top_level() -> set[str]:
    """The installed distribution's top-level import names (``top_level.txt``; the editable
    install records it like a wheel would)."""
    text = distribution("paint-gym").read_text("top_level.txt")
    assert text is not None, "the paint-gym distribution has no top_level.txt: reinstall with `pip install -e .`"
    return {line.strip() for line in text.splitlines() if line.strip()}


def declared_packages() -> list[str]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]


def test_the_distribution_installs_only_its_two_unique_names():
    top = installed_top_level()
    assert top == {"paint_gym", "paint_gym_agents"}
    assert not top & GENERIC
    assert {name.split(".")[0] for name in declared_packages()} == top  # what a wheel built from pyproject.toml holds


def test_every_package_folder_of_the_source_tree_is_installed():
    """The package list in pyproject.toml is explicit (nothing generic slips in): a new sub-package
    must be added there, or it would be missing from the wheel."""
    found = {
        ".".join((SOURCES[init.relative_to(ROOT).parts[0]], *init.parent.relative_to(ROOT).parts[1:]))
        for folder in SOURCES
        for init in (ROOT / folder).rglob("__init__.py")
    }
    assert found == set(declared_packages())


def test_paint_gym_agents_imports_from_any_folder_and_agents_is_not_ours(tmp_path):
    code = (
        "import importlib.util, paint_gym_agents, paint_gym.benchmark.protocol; print(paint_gym_agents.__file__); "
        "spec = importlib.util.find_spec('agents'); print(spec.origin if spec else None)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    ours, agents = out.stdout.split()
    assert Path(ours) == ROOT / "agents" / "__init__.py"
    assert agents == "None" or not Path(agents).is_relative_to(
        ROOT
    )  # a bare `agents` is someone else's (openai-agents), never ours


# ----------------------------------------------------------------------------------------
# 2. Dependencies point one way; no cycles
# ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    line: int
    in_function: bool
    type_checking: bool


def module_name(path: Path) -> tuple[str, bool]:
    """The import name of a source file, and whether it is a package's ``__init__``."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    package = parts[-1] == "__init__"
    parts = (SOURCES[parts[0]], *parts[1:-1]) if package else (SOURCES[parts[0]], *parts[1:])
    return ".".join(parts), package


def source_modules() -> dict[str, tuple[Path, bool]]:
    return {
        name: (path, package)
        for folder in SOURCES
        for path in sorted((ROOT / folder).rglob("*.py"))
        for name, package in [module_name(path)]
    }


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool, bool]]:
    """Every import node with (inside a function, inside ``if TYPE_CHECKING:``)."""

    def walk(
        node: ast.AST, in_function: bool, type_checking: bool
    ) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool, bool]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                yield child, in_function, type_checking
            func = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            yield from walk(child, func, type_checking or (isinstance(child, ast.If) and _is_type_checking(child)))

    yield from walk(tree, False, False)


def _longest_known_prefix(target: str, modules: dict[str, tuple[Path, bool]]) -> str | None:
    """``a.b.c`` -> the longest of ``a.b.c``, ``a.b``, ``a`` that is a source module
    (``import a.b.c`` runs them all)."""
    parts = target.split(".")
    return next((".".join(parts[:i]) for i in range(len(parts), 0, -1) if ".".join(parts[:i]) in modules), None)


def import_edges() -> list[Edge]:
    """Import edges between the source modules (and to the users' names), relative imports resolved."""
    modules = source_modules()
    edges = []
    for name, (path, package) in modules.items():
        for node, in_function, type_checking in _imports(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = node.module or ""
                if node.level:
                    parts = name.split(".") if package else name.split(".")[:-1]
                    parts = parts[: len(parts) - (node.level - 1)]
                    base = ".".join(parts + ([node.module] if node.module else []))
                targets = [
                    f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names
                ]
            for target in targets:
                known = _longest_known_prefix(target, modules)
                if known or target.split(".")[0] in USERS:
                    edges.append(Edge(name, known or target, node.lineno, in_function, type_checking))
    return edges


def test_nothing_in_the_library_imports_the_agents_or_the_benchmarks():
    bad = [
        f"{e.source} (line {e.line}{', in a function' if e.in_function else ''}) imports {e.target}"
        for e in import_edges()
        if e.source.startswith("paint_gym.") or e.source == "paint_gym"
        if e.target.split(".")[0] in USERS
    ]
    assert not bad, "the library depends on its users: " + "; ".join(bad)


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the directed graph as a list of nodes (first == last), or None."""
    state: dict[str, int] = {}  # 1: on the stack, 2: done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_find_cycle_finds_cycles_and_only_cycles():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_there_are_no_import_cycles_in_the_library_and_the_agents():
    edges = [e for e in import_edges() if not e.type_checking and e.source != e.target]
    graph: dict[str, set[str]] = {}
    for e in edges:
        graph.setdefault(e.source, set()).add(e.target)
    cycle = find_cycle(graph)
    if cycle:
        where = {(e.source, e.target): e for e in edges}
        steps = [
            f"{a} -> {b} (line {where[a, b].line}{', in a function' if where[a, b].in_function else ''})"
            for a, b in zip(cycle, cycle[1:], strict=False)
        ]
        pytest.fail("import cycle: " + "; ".join(steps))


def test_the_import_graph_sees_function_level_and_relative_imports():
    edges = {(e.source, e.target): e for e in import_edges()}
    assert ("paint_gym_agents.zoo", "paint_gym_agents.backprop") in edges  # relative, module level
    assert edges["paint_gym_agents", "paint_gym_agents.zoo"].in_function  # load_agent's lazy import
    assert ("paint_gym.painters.neural", "paint_gym.checkpoint") in edges  # `from ..checkpoint import`
