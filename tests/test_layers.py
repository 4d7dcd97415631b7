"""The package is a stack of layers whose imports only point down, with no circle anywhere.

A newcomer finds a concern by its folder, and reads a module knowing that nothing below it depends on it. Every
import counts: at the top of a module, inside a function, or under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "clean"

#: Lowest first. A module may import its own layer and those below; a module not named here fails the test, so a
#: new module is placed on purpose.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("foundation", ("clean.version", "clean.errors", "clean.document", "clean.atomic", "clean.writers", "clean.evaluate",
                    "clean.config", "clean.layout", "clean.schema", "clean.printable",
                    "clean.encoding", "clean.outlock", "clean.logs")),
    ("rules and dedup algorithms", ("clean.rules", "clean.dedup")),
    ("one page", ("clean.page",)),
    ("inputs", ("clean.readers",)),
    ("engines", ("clean.engines",)),
    ("one shard, the corpus", ("clean.shard", "clean.corpus")),
    ("outputs", ("clean.manifest", "clean.publish", "clean.audit", "clean.arrow")),
    ("a run", ("clean.runner", "clean.ray", "clean.train")),
    ("the command", ("clean.progress", "clean.cli", "clean.__main__", "clean")),
]  # fmt: skip


def modules(root: Path) -> dict[str, Path]:
    out = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def imports(root: Path) -> dict[str, set[str]]:
    """Each module of the package under ``root`` and the package's modules it imports (anywhere in its code)."""
    known = modules(root)
    top = root.name
    graph: dict[str, set[str]] = {}
    for name, path in known.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, *([node.module] if node.module else [])])
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
            for target in targets:
                module = target
                while module and module not in known:
                    module = module.rpartition(".")[0]
                if module and module != name and (module == top or module.startswith(top + ".")):
                    found.add(module)
        graph[name] = found
    return graph


def layer_of(module: str, layers: list[tuple[str, tuple[str, ...]]]) -> int | None:
    """The layer of a module: that of the longest prefix that names it (``clean`` itself only by name)."""
    best, depth = None, -1
    for i, (_, prefixes) in enumerate(layers):
        for prefix in prefixes:
            matches = module == prefix or (prefix.count(".") > 0 and module.startswith(prefix + "."))
            if matches and prefix.count(".") > depth:
                best, depth = i, prefix.count(".")
    return best


def upward(graph: dict[str, set[str]], layers: list[tuple[str, tuple[str, ...]]]) -> list[str]:
    """Every import of a module from a higher layer, and every module that no layer names."""
    problems = []
    for module, targets in sorted(graph.items()):
        mine = layer_of(module, layers)
        if mine is None:
            problems.append(f"{module} is in no layer")
            continue
        for target in sorted(targets):
            theirs = layer_of(target, layers)
            if theirs is not None and theirs > mine:
                problems.append(f"{module} ({layers[mine][0]}) imports {target} ({layers[theirs][0]})")
    return problems


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_every_import_points_down_a_layer() -> None:
    assert upward(imports(PACKAGE), LAYERS) == []


def test_no_modules_import_each_other_in_a_circle() -> None:
    assert circles(imports(PACKAGE)) == []


def test_no_module_is_much_over_400_lines_without_a_reason() -> None:
    """Long modules are split by concern; the few that stay long say why in ``LONG``."""
    long = {name: n for name, path in modules(PACKAGE).items() if (n := len(path.read_text().splitlines())) > 420}
    assert set(long) <= set(LONG), f"split these, or say in LONG why they stay whole: {sorted(set(long) - set(LONG))}"


#: Modules allowed past ~400 lines, and why.
LONG = {
    "clean.rules.navigation": "rule data: each rule with its examples of what it must and must not match",
}


# ------------------------------------------------------------------ the checks themselves can fail


@pytest.fixture
def fake(tmp_path: Path) -> Path:
    """A small package: ``pkg.low`` and ``pkg.high`` in two layers."""
    root = tmp_path / "pkg"
    (root / "sub").mkdir(parents=True)
    (root / "__init__.py").write_text("")
    (root / "sub" / "__init__.py").write_text("")
    (root / "low.py").write_text("import os\n")
    (root / "sub" / "high.py").write_text("from pkg import low\n\ndef f():\n    from ..low import x\n")
    return root


FAKE_LAYERS = [("low", ("pkg.low",)), ("high", ("pkg.sub", "pkg"))]


def test_an_import_from_a_higher_layer_is_found_even_inside_a_function(fake: Path) -> None:
    assert upward(imports(fake), FAKE_LAYERS) == []
    (fake / "low.py").write_text("def f():\n    from pkg.sub.high import g\n")
    assert upward(imports(fake), FAKE_LAYERS) == ["pkg.low (low) imports pkg.sub.high (high)"]


def test_a_circle_is_found(fake: Path) -> None:
    assert circles(imports(fake)) == []
    (fake / "sub" / "other.py").write_text("from . import high\n")
    (fake / "sub" / "high.py").write_text("from pkg.sub.other import y\n")
    assert circles(imports(fake)) == [["pkg.sub.high", "pkg.sub.other"]]


def test_a_module_in_no_layer_is_named(fake: Path) -> None:
    (fake / "stray.py").write_text("")
    assert "pkg.stray is in no layer" in upward(imports(fake), FAKE_LAYERS)
