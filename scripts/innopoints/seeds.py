"""The one reader of the project's seed CSVs (``seeds/**/<name>.csv``) for Python code.

Every value comes typed as dbt loads it: the seed's ``column_types`` in its ``seeds/**/*.yml``
decide (text -> str, integer -> int, numeric -> Decimal, boolean -> bool, date -> date), and an
empty cell is None. Rows are cached per file and modification time, so an edited seed is read again.
"""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from innopoints.errors import ConfigError

Row = dict[str, Any]


class SeedError(ConfigError):
    """A seed that does not exist, or whose CSV and yml disagree (the project's configuration)."""


def seeds_dir(root: Path | None = None) -> Path:
    if root is None:
        from innopoints.config import get_settings

        root = get_settings().project_root
    return root / "seeds"


def _convert(sql_type: str, value: str) -> Any:
    if value == "":
        return None
    t = sql_type.strip().lower()
    if t in ("text", "varchar") or t.startswith(("varchar", "character")):
        return value
    if t in ("integer", "int", "bigint", "smallint"):
        return int(value)
    if t.startswith("numeric") or t == "decimal":
        return Decimal(value)
    if t == "boolean":
        if value.lower() not in ("true", "false"):
            raise ValueError(f"not a boolean: {value!r}")
        return value.lower() == "true"
    if t == "date":
        return date.fromisoformat(value)
    raise ValueError(f"seed column type {sql_type!r} is not one the loader knows")


@lru_cache(maxsize=8)
def _column_types(folder: Path, stamp: tuple[tuple[str, int], ...]) -> dict[str, dict[str, str]]:
    import yaml

    types: dict[str, dict[str, str]] = {}
    for path, _ in stamp:
        doc = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        for seed in doc.get("seeds") or []:
            types[seed["name"]] = ((seed.get("config") or {}).get("column_types") or {})
    return types


@lru_cache(maxsize=128)
def _read(path: Path, mtime_ns: int, types: tuple[tuple[str, str], ...]) -> tuple[Row, ...]:
    by_column = dict(types)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in reader.fieldnames or () if c not in by_column]
        if missing:
            raise SeedError(f"{path.name}: no column_types for {', '.join(missing)} in the seed's yml")
        return tuple({k: _convert(by_column[k], v) for k, v in r.items()} for r in reader)


def path(name: str, root: Path | None = None, new_in: str | None = None) -> Path:
    """The CSV file of seed `name` under the project's (or `root`'s) seeds folder; with `new_in`, a
    seed not there yet is placed in that subfolder (for code that writes a seed)."""
    found = sorted(seeds_dir(root).rglob(f"{name}.csv"))
    if not found and new_in is not None:
        return seeds_dir(root) / new_in / f"{name}.csv"
    if len(found) != 1:
        raise SeedError(f"seed {name}: expected one seeds/**/{name}.csv, found {len(found)}")
    return found[0]


def load(name: str, root: Path | None = None) -> list[Row]:
    """The rows of seed `name`, typed as dbt types them; a fresh list of fresh dicts each call."""
    folder = seeds_dir(root)
    file = path(name, root)
    ymls = tuple((str(p), p.stat().st_mtime_ns) for p in sorted(folder.rglob("*.yml")))
    types = _column_types(folder, ymls).get(name)
    if types is None:
        raise SeedError(f"seed {name} has no entry with column_types in seeds/**/*.yml")
    return [dict(r) for r in _read(file, file.stat().st_mtime_ns, tuple(sorted(types.items())))]


def column(name: str, col: str, root: Path | None = None, **where: Any) -> list[Any]:
    """One column of a seed, in file order, of the rows whose columns equal `where`."""
    return [r[col] for r in load(name, root) if all(r[k] == v for k, v in where.items())]
