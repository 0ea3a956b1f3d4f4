"""The package's layers point one way: CLI → application → library. No module below the CLI imports a
CLI module (at the top or inside a function, or by name through importlib), and the subpackages do
not import each other in a circle. Pure AST reading: no database, no import of the package."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "innopoints"


def modules(package: Path) -> dict[str, Path]:
    """Dotted module name → file, for every module of the package."""
    out = {}
    for path in sorted(package.rglob("*.py")):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def is_cli(module: str) -> bool:
    """The command line: the top-level ``cli``, ``commands.*`` and every subpackage's ``cli``."""
    parts = module.split(".")
    return parts[-1] == "cli" or (len(parts) > 1 and parts[1] == "commands")


def is_entry(module: str) -> bool:
    """Modules at the top of the stack: the command line and the benchmark harnesses."""
    return is_cli(module) or module.split(".")[-1].endswith("bench")


def imported(tree: ast.AST, known: dict[str, Path]) -> Iterator[tuple[int, str]]:
    """(line, module) of every package module the tree imports, anywhere in it, by statement or by name."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module
            for alias in node.names:
                if f"{node.module}.{alias.name}" in known:
                    yield node.lineno, f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in known:
            yield node.lineno, node.value  # importlib.import_module("innopoints.x.cli")


def cli_imports_below_cli(package: Path) -> list[str]:
    known = modules(package)
    return [f"{known[m].relative_to(package.parent)}:{line} imports the CLI module {target}"
            for m in known if not is_cli(m)
            for line, target in imported(ast.parse(known[m].read_text(encoding="utf-8")), known)
            if target in known and is_cli(target)]


def subpackage_cycles(package: Path) -> list[list[str]]:
    """Circles in the graph of subpackages (and top-level modules) importing each other, entry modules aside."""
    known = modules(package)

    def unit(m: str) -> str:
        return m.split(".")[1] if "." in m else m

    graph: dict[str, set[str]] = {}
    for m in known:
        if is_entry(m):
            continue
        for _, target in imported(ast.parse(known[m].read_text(encoding="utf-8")), known):
            if target in known and "." in target and unit(target) != unit(m):
                graph.setdefault(unit(m), set()).add(unit(target))
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1 on the path, 2 done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append([*path[path.index(nxt):], nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for start in sorted(graph):
        if start not in state:
            visit(start, [start])
    return cycles


def test_nothing_below_the_cli_imports_the_cli() -> None:
    assert cli_imports_below_cli(PACKAGE) == []


def test_subpackages_do_not_import_each_other_in_a_circle() -> None:
    assert subpackage_cycles(PACKAGE) == []


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "innopoints"
    for name, text in {"__init__.py": "", "cli.py": "", "lib/__init__.py": "", "other/__init__.py": "",
                       **files}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def test_the_checks_see_a_planted_cli_import_and_a_planted_cycle(tmp_path: Path) -> None:
    hidden = _package(tmp_path, {"lib/run.py": "def f():\n    from innopoints.cli import main\n    return main\n"})
    assert cli_imports_below_cli(hidden) == ["innopoints/lib/run.py:2 imports the CLI module innopoints.cli"]
    by_name = _package(tmp_path / "b",
                       {"lib/run.py": "import importlib\nM = importlib.import_module('innopoints.cli')\n"})
    assert len(cli_imports_below_cli(by_name)) == 1
    from_package = _package(tmp_path / "c", {"commands/__init__.py": "", "commands/x_cmd.py": "",
                                             "lib/run.py": "from innopoints.commands import x_cmd\n"})
    assert "innopoints/lib/run.py:1 imports the CLI module innopoints.commands.x_cmd" in cli_imports_below_cli(
        from_package)
    circle = _package(tmp_path / "d", {"lib/a.py": "def f():\n    from innopoints.other import b\n",
                                       "other/b.py": "from innopoints.lib import a\n"})
    assert subpackage_cycles(circle) == [["lib", "other", "lib"]]
    harness = _package(tmp_path / "e", {"lib/bench.py": "from innopoints.other import b\n",
                                        "other/b.py": "from innopoints.lib import a\n", "lib/a.py": ""})
    assert subpackage_cycles(harness) == []
