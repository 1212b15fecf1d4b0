"""The structure the code keeps (DESIGN.md, STYLE.md), checked on the source itself so that it
cannot drift: metrics/ is UI-free, only metrics/store/ speaks SQL, pages use only the public API
named in metrics/__init__.py, no module reaches for another's private names, no import cycle
(counting imports inside functions), and no module outgrows one job."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import metrics

ROOT = Path(__file__).resolve().parent.parent
MAX_MODULE_LINES = 700  # past this a module has several jobs: make it a package of one module per job
SQL = re.compile(
    r"\b(SELECT\s.+\sFROM|INSERT\s+INTO|DELETE\s+FROM|UPDATE\s+\w+\s+SET|CREATE\s+(TABLE|VIEW|INDEX)|ATTACH\s|COPY\s)\b",
    re.DOTALL,  # upper case, as the store writes SQL: prose saying "select" or "copy" is not SQL
)


def _sources() -> dict[str, Path]:
    """Module name -> file, for every module of metrics/, pages/ and the dashboard."""
    out = {"dashboard": ROOT / "dashboard.py"}
    for folder in ("metrics", "pages"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join(parts)] = path
    return out


SOURCES = _sources()
TREES = {name: ast.parse(path.read_text(), filename=str(path)) for name, path in SOURCES.items()}


def _imports(name: str) -> list[tuple[str, list[str], int]]:
    """(module imported, names taken from it, line) for every import in a module, at any depth."""
    package = name if SOURCES[name].name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(TREES[name]):
        if isinstance(node, ast.Import):
            found += [(alias.name, [], node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.append((base, [alias.name for alias in node.names], node.lineno))
    return found


def _edges(name: str) -> set[str]:
    """The project modules a module imports (``from pkg import sub`` counts as importing pkg.sub)."""
    out = set()
    for module, names, _line in _imports(name):
        for candidate in [f"{module}.{n}" for n in names] or [module]:
            if candidate in SOURCES:
                out.add(candidate)
            elif module in SOURCES:
                out.add(module)
    out.discard(name)
    return out


def test_metrics_never_imports_streamlit() -> None:
    offenders = [
        f"{name}:{line}"
        for name in SOURCES
        if name.startswith("metrics")
        for module, _names, line in _imports(name)
        if module.split(".")[0] == "streamlit"
    ]
    assert offenders == []


def test_sql_only_in_the_store() -> None:
    offenders = []
    for name, tree in TREES.items():
        if name.startswith("metrics.store"):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.search(node.value):
                offenders.append(f"{name}:{node.lineno}: {node.value[:60]!r}")
    assert offenders == []


def test_the_sql_check_can_fail() -> None:
    """The pattern recognises the statements the store holds, so the check above means something."""
    store_sql = [
        node.value
        for name, tree in TREES.items()
        if name.startswith("metrics.store")
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.search(node.value)
    ]
    assert len(store_sql) > 20


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_no_module_outgrows_one_job(name: str) -> None:
    lines = SOURCES[name].read_text().count("\n")
    assert lines <= MAX_MODULE_LINES, f"{SOURCES[name]} has {lines} lines: split it by job"


def test_no_import_cycle() -> None:
    """Tarjan's strongly connected components over every import, inside functions included."""
    graph = {name: _edges(name) for name in SOURCES}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for name in graph:
        if name not in index:
            visit(name)
    assert cycles == []


def test_no_module_takes_another_modules_private_names() -> None:
    offenders = []
    for name in SOURCES:
        for module, names, line in _imports(name):
            if module.startswith(("metrics", "pages")):
                # a private module is a package's own business: test_no_package_reaches_into_another below
                offenders += [
                    f"{name}:{line} imports {module}.{n}"
                    for n in names
                    if n.startswith("_") and f"{module}.{n}" not in SOURCES
                ]
        aliases = {
            alias.asname or alias.name
            for node in ast.walk(TREES[name])
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(("metrics", "pages"))
            for alias in node.names
        }
        for node in ast.walk(TREES[name]):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                offenders.append(f"{name}:{node.lineno} uses {node.value.id}.{node.attr}")
    assert offenders == []


MAX_TOP_LEVEL_MODULES = 10  # entry points and the few small modules every package shares; the rest are packages


def test_the_top_level_of_metrics_keeps_only_entry_points_and_shared_modules() -> None:
    top = sorted(p.name for p in (ROOT / "metrics").glob("*.py"))
    assert len(top) <= MAX_TOP_LEVEL_MODULES, (
        f"metrics/ holds {len(top)} modules ({', '.join(top)}): give the work a package"
    )


def _packages() -> list[str]:
    return [name for name, path in SOURCES.items() if name.startswith("metrics") and path.name == "__init__.py"]


def test_every_package_says_what_it_owns() -> None:
    silent = [name for name in _packages() if not (ast.get_docstring(TREES[name]) or "").strip()]
    assert silent == []
    assert len(_packages()) >= 8  # metrics itself, plan, police, board, demo, store, returns, pack, cli ...


def private_module_reaches(graph: dict[str, set[str]]) -> list[str]:
    """Imports of a package's private modules (``_name.py``) from outside that package."""
    return [
        f"{importer} imports {target}"
        for importer, targets in sorted(graph.items())
        for target in sorted(targets)
        if target.rpartition(".")[2].startswith("_")
        and not target.rpartition(".")[2].startswith("__")
        and not (importer + ".").startswith(target.rpartition(".")[0] + ".")
    ]


def test_no_package_reaches_into_another_packages_private_modules() -> None:
    graph = {name: _edges(name) for name in SOURCES}
    assert private_module_reaches(graph) == []
    private = [name for name in SOURCES if name.rpartition(".")[2].startswith("_")]
    assert len(private) >= 3  # the rule guards real modules (plan._checks, pack._pdf, store._keyed ...)


def test_the_private_module_check_can_fail() -> None:
    graph = {
        "metrics.board.status": {"metrics.plan._checks"},  # another package's private module
        "metrics.plan.model": {"metrics.plan._checks"},  # its own: allowed
        "metrics.plan.sub.deep": {"metrics.plan._checks"},  # a sub-package of the owner: allowed
    }
    assert private_module_reaches(graph) == ["metrics.board.status imports metrics.plan._checks"]


def test_pages_use_only_the_public_api() -> None:
    """Pages and the dashboard import from metrics only what metrics/__init__.py names."""
    offenders = []
    for name in SOURCES:
        if name.startswith("metrics"):
            continue
        for module, names, line in _imports(name):
            if module == "metrics":
                offenders += [f"{name}:{line} imports {n}" for n in names if n not in metrics.__all__]
            elif module.startswith("metrics."):
                offenders.append(f"{name}:{line} imports from {module}: use `from metrics import ...`")
    assert offenders == []


@pytest.mark.parametrize("name", metrics.__all__)
def test_every_public_name_resolves(name: str) -> None:
    assert getattr(metrics, name) is not None


def test_an_unknown_name_is_refused() -> None:
    with pytest.raises(AttributeError, match="no public name 'Storez'"):
        metrics.Storez  # noqa: B018


def test_editors_see_every_public_name() -> None:
    """metrics/__init__.py's TYPE_CHECKING block imports each public name from the module _API
    loads it from, so editors and type checkers see real types, not Any, through __getattr__."""
    block = next(
        node
        for node in TREES["metrics"].body
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"
    )
    seen = {}
    for node in block.body:
        assert isinstance(node, ast.ImportFrom)
        for alias in node.names:
            module = f"{node.module}.{alias.name}" if f"{node.module}.{alias.name}" in SOURCES else node.module
            seen[alias.asname or alias.name] = (module, None if module != node.module else alias.name)
    assert seen == metrics._API
