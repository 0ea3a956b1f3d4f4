"""One error model: every failure the user sees is an ``InnopointsError`` subclass carrying its own exit
code, the README's "Exit codes" table lists exactly those codes, and real failures end with them."""

from __future__ import annotations

import ast
import importlib
import os
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import innopoints
import pytest
from innopoints import errors
from innopoints.cli import main
from innopoints.config import Settings
from innopoints.uscc import uscc_check_digit

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "scripts" / "innopoints"
# exceptions raised and caught inside the importer (a refused file is reported, never raised to the user)
INTERNAL = {"importer/headers.py": {"Unrecognised"}, "importer/sources.py": {"Refused"},
            "importer/convert.py": {"Bad"}}
BUILTIN_BASES = {"Exception", "RuntimeError", "ValueError", "LookupError", "KeyError", "OSError", "BaseException"}


def readme_codes() -> dict[int, tuple[str, str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| (\d+) \| `?(\w*)`? \| (.+?) \|$", section, flags=re.M)
    return {int(code): (name, meaning) for code, name, meaning in rows}


def all_error_classes() -> set[type[errors.InnopointsError]]:
    for info in pkgutil.walk_packages(innopoints.__path__, "innopoints."):
        try:
            importlib.import_module(info.name)
        except ImportError:  # an optional area (e.g. Superset's own venv) that is not installed
            continue
    seen: set[type[errors.InnopointsError]] = set()
    todo = [errors.InnopointsError]
    while todo:
        cls = todo.pop()
        seen.add(cls)
        todo += cls.__subclasses__()
    return seen


def test_the_readme_table_is_the_classes() -> None:
    table = {kind.exit_code: (kind.__name__, kind.meaning) for kind in errors.ERROR_KINDS}
    assert readme_codes() == {0: ("", errors.EXIT_CODES[0]), **table}


def test_each_kind_of_failure_has_its_own_code() -> None:
    codes = [kind.exit_code for kind in errors.ERROR_KINDS]
    assert len(codes) == len(set(codes)) and 0 not in codes
    assert all(kind.__dict__.get("meaning") for kind in errors.ERROR_KINDS)
    # a subclass elsewhere (ClusterError, ObjectionRefused, ...) is a case of a kind: it keeps the kind's code
    for cls in all_error_classes():
        assert cls.exit_code in codes, cls
        if cls not in errors.ERROR_KINDS:
            assert "exit_code" not in cls.__dict__ or cls.exit_code == next(
                k for k in cls.__mro__ if k in errors.ERROR_KINDS).exit_code, cls


def test_no_stray_exception_class_escapes_the_model() -> None:
    stray = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ClassDef) or node.name.startswith("_"):
                continue
            bases = {b.id for b in node.bases if isinstance(b, ast.Name)}
            if bases & BUILTIN_BASES and node.name not in INTERNAL.get(rel, set()) and rel != "errors.py":
                stray.append(f"{rel}: class {node.name}({', '.join(sorted(bases))})")
    assert stray == []


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).parent / "innopoints"
    return subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})})


def test_usage_errors_end_with_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["expalin", "x"]) == errors.UsageError.exit_code
    assert main(["explain", "91210000MA0000000X"]) == errors.UsageError.exit_code  # wrong check digit
    err = capsys.readouterr().err
    assert "innopoints explain: error: 校验位错误" in err and "Traceback" not in err


def test_verbose_shows_the_traceback_and_quiet_only_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["-v", "explain", "123"]) == errors.UsageError.exit_code
    assert "Traceback" in capsys.readouterr().err
    assert main(["-q", "explain", "123"]) == errors.UsageError.exit_code
    err = capsys.readouterr().err
    assert "USCC must be 18 characters" in err and "Traceback" not in err


def test_a_server_that_does_not_answer_ends_with_3(tmp_path: Path) -> None:
    dead = {"INNOPOINTS_DATABASE_URL": "postgresql://admin:x@127.0.0.1:9/postgres",
            "INNOPOINTS_STATE_DIR": str(tmp_path / "state")}
    r = _cli("db", "start", env=dead)
    assert r.returncode == errors.ServiceError.exit_code, r.stdout + r.stderr
    assert "does not accept" in r.stderr and "Traceback" not in r.stderr


def test_an_unknown_enterprise_ends_with_7(built_warehouse: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    first17 = "91210000MA0000000"
    unknown = first17 + uscc_check_digit(first17)
    assert main(["explain", unknown]) == errors.NotFound.exit_code
    assert f"未找到统一社会信用代码为 {unknown} 的企业" in capsys.readouterr().err
