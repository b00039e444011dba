"""The shape of the code, checked from its source: no import cycle, one door to Oxigraph, data flowing one way.

Imports are read with `ast` (nothing is imported to find them); an import inside a
function counts like one at the top (a lazy import still ties two modules together),
one under `if TYPE_CHECKING:` does not (it never runs).
"""
from __future__ import annotations

import ast
from pathlib import Path

from helpers import REPO

SRC = REPO / "src"
PACKAGE = SRC / "kgbuild"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking_only(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return True
    return False


def imports_of(path: Path, modules: set[str]) -> set[str]:
    """The kgbuild modules `path` imports (a `from . import x` names module x when there is one)."""
    tree = ast.parse(path.read_text("utf-8"))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    me = module_name(path)
    package = me if path.name == "__init__.py" else me.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if _type_checking_only(node, parents):
            continue
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name in modules)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            for alias in node.names:
                if f"{target}.{alias.name}" in modules:
                    found.add(f"{target}.{alias.name}")
                elif target in modules:
                    found.add(target)
    found.discard(me)
    return found


def import_graph() -> dict[str, set[str]]:
    files = sorted(PACKAGE.rglob("*.py"))
    modules = {module_name(p) for p in files}
    return {module_name(p): imports_of(p, modules) for p in files}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_module_imports_another_that_imports_it_back() -> None:
    graph = import_graph()
    assert "kgbuild.store" in graph["kgbuild.build"]  # the graph is read, not empty
    assert "kgbuild.server.protocol" in graph["kgbuild.server.saved"]
    assert cycles(graph) == []


def test_the_core_never_imports_the_server_or_the_cli() -> None:
    graph = import_graph()
    for module, imported in graph.items():
        if module.startswith(("kgbuild.server", "kgbuild.cli")):
            continue
        assert not {m for m in imported if m.startswith(("kgbuild.server", "kgbuild.cli"))}, module


def test_only_the_store_reaches_oxigraphs_store() -> None:
    """KgStore is the one door: no other module opens a pyoxigraph Store or reaches the one inside a KgStore."""
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "store.py" and path.parent == PACKAGE:
            continue
        text = path.read_text("utf-8")
        for needle in ("ox.Store(", "Store.read_only(", "._store", "._db", ".store.store"):
            assert needle not in text, f"{path.relative_to(REPO)} uses {needle}"
