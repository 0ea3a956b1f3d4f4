"""Python reads the seeds through one loader (innopoints.seeds), typed as dbt types them: no other
module of the package or of the tests builds a path to a seed CSV."""

from __future__ import annotations

import ast
import os
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from innopoints import seeds

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "scripts" / "innopoints"
LOADER = PACKAGE / "seeds.py"
PATH_CALLS = {"open", "Path", "PurePath", "joinpath", "glob", "rglob", "join"}
SEED_NAMES = {p.stem for p in (ROOT / "seeds").rglob("*.csv")}


def _is_seed_path_part(node: ast.AST, any_csv: bool = False) -> bool:
    """A literal that names the seeds folder or a seed's CSV file (with `any_csv`, also an f-string
    ending in .csv, as a glob over the seeds folder writes one)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value.strip("/")
        parts = text.split("/")
        return parts[0] == "seeds" or (text.endswith(".csv") and Path(text).stem in SEED_NAMES)
    if any_csv and isinstance(node, ast.JoinedStr):
        tail = node.values[-1] if node.values else None
        return isinstance(tail, ast.Constant) and str(tail.value).endswith(".csv")
    return False


def seed_file_reads(source: str) -> list[int]:
    """Lines of `source` that build a path to a seed CSV or to the seeds folder (`root / "seeds"`,
    `open(".../regions.csv")`, `rglob(f"{name}.csv")`): only the loader may do that."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            if _is_seed_path_part(node.left) or _is_seed_path_part(node.right):
                lines.append(node.lineno)
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            globbing = name in ("glob", "rglob")
            if name in PATH_CALLS and any(_is_seed_path_part(a, globbing) for a in node.args):
                lines.append(node.lineno)
    return sorted(set(lines))


# test modules that write seed files of a scratch project rather than read the project's seeds
SEED_WRITERS = {
    "scripts/tests/test_scoring.py": "adds a scheme's seed rows to a copy of the project",
    "scripts/tests/test_seed_loader.py": "the loader's own test: a scratch seeds folder, examples as text",
}


def _python_files() -> list[Path]:
    files = [*PACKAGE.rglob("*.py"), *(ROOT / "scripts" / "tests").glob("*.py")]
    return [p for p in files if p != LOADER and str(p.relative_to(ROOT)) not in SEED_WRITERS]


def test_no_module_but_the_loader_opens_a_seed_csv() -> None:
    offenders = {str(p.relative_to(ROOT)): lines for p in _python_files()
                 if (lines := seed_file_reads(p.read_text(encoding="utf-8")))}
    assert not offenders, f"read seeds with innopoints.seeds.load(name), not from disk: {offenders}"


@pytest.mark.parametrize("source", [
    'rows = open(get_settings().project_root / "seeds" / "scoring" / "grade_bands.csv")',
    'SEED = Path(__file__).resolve().parents[3] / "seeds" / "scoring" / "indicators.csv"',
    'p = ref / "regions.csv"',
    'path = next(SEEDS.rglob(f"{name}.csv"))',
    'f = open("seeds/reference/ref_banks.csv")',
])
def test_the_check_sees_each_way_of_reading_a_seed(source: str) -> None:
    assert seed_file_reads(source) == [1]


def test_the_check_leaves_messages_and_other_files_alone() -> None:
    assert not seed_file_reads('raise KeyError(f"bank {b} is not in seeds/reference/ref_banks.csv")')
    assert not seed_file_reads('out = Path(tmp) / "torch_big.csv"')
    assert not seed_file_reads('write_csv(tmp_path / f"torch_{year}_yuan.csv", header, rows)')


def test_rows_are_typed_as_dbt_types_them() -> None:
    schemes = {r["scheme_code"]: r for r in seeds.load("schemes")}
    most = schemes["MOST-2024"]
    assert isinstance(most["max_points"], Decimal | int) and isinstance(most["first_year"], int)
    assert most["last_year"] is None or isinstance(most["last_year"], int)
    banks = seeds.load("ref_banks")
    assert banks and all(isinstance(b["bank_code"], str) for b in banks)
    assert all(isinstance(r["region_code"], str) for r in seeds.load("regions"))  # "210000", not 210000
    assert all(isinstance(r["ordinary_rate_pct"], Decimal) for r in seeds.load("ref_loan_products"))
    assert {type(r["points_based"]) for r in seeds.load("ref_loan_products")} == {bool}
    assert seeds.column("regions", "region_code", level="province") == ["210000"]


def test_a_fresh_copy_each_call_and_a_re_read_after_an_edit(tmp_path: Path) -> None:
    seeds.load("ref_banks")[0]["bank_code"] = "changed"
    assert seeds.load("ref_banks")[0]["bank_code"] != "changed"
    folder = tmp_path / "seeds" / "x"
    folder.mkdir(parents=True)
    (folder / "_x.yml").write_text("seeds:\n  - name: t\n    config:\n      column_types: {d: date, n: integer}\n",
                                   encoding="utf-8")
    csv_file = folder / "t.csv"
    csv_file.write_text("d,n\n2024-01-31,1\n", encoding="utf-8")
    assert seeds.load("t", tmp_path) == [{"d": date(2024, 1, 31), "n": 1}]
    csv_file.write_text("d,n\n2024-02-01,\n", encoding="utf-8")
    os.utime(csv_file, ns=(1, 1))  # a new modification time, whatever the clock's resolution
    assert seeds.load("t", tmp_path) == [{"d": date(2024, 2, 1), "n": None}]
    assert seeds.path("v", tmp_path, new_in="x") == folder / "v.csv"
    with pytest.raises(seeds.SeedError, match="column_types"):
        (folder / "u.csv").write_text("a\n1\n", encoding="utf-8")
        seeds.load("u", tmp_path)
