"""Build only what changed since the last complete build, with dbt's own state.

After every build that covers everything changed, the manifest that built it and the source freshness
results read just before it are kept per warehouse database (``.state/dbt-state/<database>/``). The
next build reads the sources' freshness again and selects, by dbt's state selectors,

- ``source_status:fresher+``: every node downstream of a source with rows loaded since (a delivery of
  loans rebuilds the monitoring models that read loans and leaves the scores as they are), and
- ``state:modified+``: every node whose code, configuration, seed or macro changed, and what reads it.

With no record for this very database (first build, or the database was recreated), with a model of
the record missing from the warehouse, or with an unlogged table of the record emptied since (PostgreSQL
empties unlogged tables when it recovers from a crash), everything is built. ``full=True`` builds everything.

dbt's unit tests run the models' SQL on the fixed rows their yml gives (a seed they do not mock is read
as it is), never on the warehouse's data: a selective build for new data only, with no code, macro or
seed changed, leaves them out, as dbt's documentation advises for production runs; a build for changed
code or seeds, and a full build, runs them. Every data test of the selection runs either way.

Incremental models (by evaluation year, macros/scoring/scoring_years.sql: int_scoring__enterprise_points)
compute in a selective build only the years whose inputs changed. The loan models (config meta
``rebuilt_by: loan``, macros/monitoring/loans_delta.sql) compute only the loans changed since their last
build when the loans feed has new rows and every other source of theirs is as recorded (the var
``loans_delta``), and every loan otherwise. dbt never rebuilds an incremental model from scratch because
its code changed, so a full build, and a selective build with changed code or seeds, runs with
``--full-refresh``: the same rows as from nothing."""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from innopoints import db, statefile
from innopoints.config import get_settings
from innopoints.feeds import FEEDS
from innopoints.warehouse import build, dbt_in_process, ensure_ready

log = logging.getLogger(__name__)

SELECTORS = ["source_status:fresher+", "state:modified+"]
# the one source whose new rows the loan models can take loan by loan (macros/monitoring/loans_delta.sql)
LOANS_SOURCE = "source.innopoints.loans.loans"
# what makes a node, source or macro differ from the record (not paths, timestamps or docs)
_COMPARED = {
    "nodes": ("checksum", "config", "depends_on", "raw_code"),
    "sources": ("freshness", "loaded_at_field", "loaded_at_query", "relation_name", "config"),
    "macros": ("macro_sql",),
}


@dataclass(frozen=True)
class Plan:
    """What a build covers and why: ``select`` None means everything."""

    select: list[str] | None
    reasons: list[str]
    fresher: list[str] = field(default_factory=list)  # source unique ids loaded since the last build
    modified: list[str] = field(default_factory=list)  # nodes whose definition changed
    state: Path | None = None  # the record the selection compares with
    sources: dict[str, Any] | None = None  # the freshness read for this plan (None: not read)
    loans_delta: bool = False  # the loan models compute only the changed loans

    @property
    def full(self) -> bool:
        return self.select is None

    @property
    def from_scratch(self) -> bool:
        """Incremental models are rebuilt whole: everything is built, or code or seeds changed."""
        return self.full or bool(self.modified)

    @property
    def unit_tests(self) -> bool:
        """dbt's unit tests run when code could have changed their result: a full build, or changed code."""
        return self.full or bool(self.modified)

    @property
    def nothing(self) -> bool:
        return self.select is not None and not self.fresher and not self.modified

    def describe(self) -> str:
        what = ("全部重建 (full build)" if self.full else
                "无需重建 (nothing to rebuild)" if self.nothing else "部分重建 (selective build)")
        return "\n".join([f"构建范围 (build scope): {what}", *(f"  - {r}" for r in self.reasons)])


def state_dir(database: str | None = None) -> Path:
    s = get_settings()
    return s.state_dir / "dbt-state" / (database or s.db_name)


def _target() -> Path:
    return get_settings().project_root / "target"


def _warehouse_id() -> dict[str, Any]:
    """This database, as opposed to another of the same name: a recreated database has a new oid."""
    with db.connect(db.TRANSFORMER, autocommit=True) as conn:
        oid, name, system = conn.execute(
            "select d.oid::bigint, d.datname, (select system_identifier::text from pg_control_system()) "
            "from pg_database as d where d.datname = current_database()").fetchone()
    return {"database": name, "oid": int(oid), "system_identifier": system}


def _load(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _missing_relations(manifest: dict[str, Any]) -> list[str]:
    """Models of the record (tables and views) that are not in the warehouse now."""
    wanted = _relations(manifest)
    with db.connect(db.TRANSFORMER, autocommit=True) as conn:
        present = {(s, r) for s, r in conn.execute(
            "select n.nspname, c.relname from pg_class as c join pg_namespace as n on n.oid = c.relnamespace "
            "where c.relkind in ('r', 'v', 'm', 'p')")}
    return sorted(f"{s}.{r}" for s, r in wanted - present)


def read_freshness() -> dict[str, Any]:
    """`dbt source freshness` into target/sources.json (where dbt's source_status selector reads the
    current state); a stale source still gives its result, only a missing file is an error."""
    out = _target() / "sources.json"
    out.unlink(missing_ok=True)
    r = dbt_in_process(["source", "freshness", "--output", str(out)])
    data = _load(out)
    if data is None:
        from innopoints.errors import BuildFailed

        raise BuildFailed(f"dbt source freshness did not run: {r.exception or 'see logs/dbt.log'}")
    return data


def _loaded(sources: dict[str, Any]) -> dict[str, str]:
    return {x["unique_id"]: str(x["max_loaded_at"]) for x in sources.get("results", [])
            if x.get("max_loaded_at") and x.get("status") != "runtime error"}


def _fresher(before: dict[str, Any], now: dict[str, Any]) -> list[str]:
    """Sources loaded since the record, by dbt's rule (a newer max_loaded_at, or a source not in it)."""
    old, new = _loaded(before), _loaded(now)
    return sorted(uid for uid, at in new.items() if uid not in old or at > old[uid])


def _moved(before: dict[str, Any], now: dict[str, Any], uids: set[str]) -> list[str]:
    """Of these sources, those whose latest load differs from the record's either way, or whose freshness
    could not be read now: only loans may have moved for the loan models to take loans alone."""
    old, new = _loaded(before), _loaded(now)
    failed = {x["unique_id"] for x in now.get("results", []) if x.get("status") == "runtime error"}
    return sorted(u for u in uids if old.get(u) != new.get(u) or u in failed)


def _changed_nodes(before: dict[str, Any], now: dict[str, Any]) -> list[str]:
    """Nodes, sources and macros whose definition or configuration differs from the record, or that
    are new. dbt's own state:modified decides the selection; this names it, and when it is empty and
    no source is fresher the build is skipped."""
    out = []
    for kind in ("nodes", "sources", "macros"):
        old, new = before.get(kind, {}), now.get(kind, {})
        for uid, node in new.items():
            if not uid.startswith(("model.", "seed.", "snapshot.", "test.", "source.", "macro.innopoints")):
                continue
            prev = old.get(uid)
            if prev is None or any(_part(prev, k) != _part(node, k) for k in _COMPARED[kind]):
                out.append(uid)
        out += [uid for uid in old if uid not in new and uid.startswith(("model.", "seed.", "snapshot."))]
    return sorted(set(out))


def _part(node: dict[str, Any], key: str) -> Any:
    """A compared part of a node; of its dependencies the nodes only (compiling a test adds the macros
    it happened to call)."""
    value = node.get(key)
    return (value or {}).get("nodes") if key == "depends_on" else value


def _reach(start: list[str], edges: dict[str, list[str]]) -> set[str]:
    """These nodes and every node reached from them along dbt's child or parent map."""
    seen, todo = set(start), list(start)
    while todo:
        for nxt in edges.get(todo.pop(), []):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _incremental_reached(manifest: dict[str, Any], sources: list[str]) -> list[str]:
    """The incremental models by evaluation year downstream of these sources (dbt's child map of the manifest)."""
    nodes = manifest.get("nodes") or {}
    seen = _reach(sources, manifest.get("child_map") or {})
    return sorted(nodes[u]["name"] for u in seen
                  if u in nodes and (nodes[u].get("config") or {}).get("materialized") == "incremental"
                  and ((nodes[u].get("config") or {}).get("meta") or {}).get("rebuilt_by") != "loan")


def _by_loan(manifest: dict[str, Any]) -> tuple[list[str], set[str]]:
    """The models rebuilt loan by loan (config meta ``rebuilt_by: loan``), and every source they read."""
    nodes = manifest.get("nodes") or {}
    models = sorted(u for u, n in nodes.items()
                    if ((n.get("config") or {}).get("meta") or {}).get("rebuilt_by") == "loan")
    seen = _reach(models, manifest.get("parent_map") or {})
    return [nodes[u]["name"] for u in models], {u for u in seen if u.startswith("source.")}


def _source_label(uid: str) -> str:
    """source.innopoints.<source>.<table> as users know it: the feed's Chinese name when it is a feed."""
    source, table = uid.split(".")[-2:]
    feed = FEEDS.get(table) or FEEDS.get(source)
    return f"{feed.system_zh} ({source}.{table})" if feed else f"{source}.{table}"


def _relations(manifest: dict[str, Any]) -> set[tuple[str, str]]:
    return {(n["schema"], n.get("alias") or n["name"]) for n in manifest.get("nodes", {}).values()
            if n.get("resource_type") in ("model", "seed", "snapshot")
            and (n.get("config") or {}).get("materialized") != "ephemeral"}


def _unlogged_with_rows(conn: Any, manifest: dict[str, Any]) -> list[str]:
    """The record's unlogged tables that have rows now (one row read each)."""
    wanted = _relations(manifest)
    unlogged = [(s, r) for s, r in conn.execute(
        "select n.nspname, c.relname from pg_class as c join pg_namespace as n on n.oid = c.relnamespace "
        "where c.relkind = 'r' and c.relpersistence = 'u'") if (s, r) in wanted]
    return sorted(f"{s}.{r}" for s, r in unlogged if _has_rows(conn, s, r))


def _has_rows(conn: Any, schema: str, relation: str) -> bool:
    return bool(conn.execute(f'select exists (select from "{schema}"."{relation}")').fetchone()[0])


def _emptied(recorded: list[str]) -> list[str]:
    """Unlogged tables that had rows after the recorded build and have none now: PostgreSQL empties every
    unlogged table when it recovers from a crash (or an immediate stop), with no write any log could see."""
    out = []
    with db.connect(db.TRANSFORMER, autocommit=True) as conn:
        for name in recorded:
            s, r = name.split(".", 1)
            if conn.execute("select to_regclass(%s) is not null", (f'"{s}"."{r}"',)).fetchone()[0] and \
                    not _has_rows(conn, s, r):
                out.append(name)
    return out


def plan(full: bool = False) -> Plan:
    """What the next build must cover, and why, with the freshness of the sources read now."""
    ensure_ready()
    if full:
        return Plan(None, ["--full: 按要求全部重建 (everything, as asked)"])
    record = state_dir()
    ident = _load(record / "warehouse.json")
    before_manifest, before_sources = _load(record / "manifest.json"), _load(record / "sources.json")
    if ident is None or before_manifest is None or before_sources is None:
        return Plan(None, ["没有本库上一次完整构建的记录 (no record of an earlier build of this warehouse): "
                           "everything is built"])
    if {k: ident.get(k) for k in ("database", "oid", "system_identifier")} != _warehouse_id():
        return Plan(None, ["数据库已重建 (the database was recreated since the recorded build): everything is built"])
    missing = _missing_relations(before_manifest)
    if missing:
        return Plan(None, [f"仓库中缺少 {len(missing)} 个表或视图 ({len(missing)} relations missing, e.g. "
                           f"{', '.join(missing[:3])}): everything is built"])
    emptied = _emptied(ident.get("unlogged_with_rows") or [])
    if emptied:
        return Plan(None, [f"{len(emptied)} 个不写日志的表在数据库崩溃恢复后被清空 ({len(emptied)} unlogged tables "
                           f"emptied by a crash recovery, e.g. {', '.join(emptied[:3])}): everything is built"])
    now_sources = read_freshness()
    fresher = _fresher(before_sources, now_sources)
    now_manifest = _load(_target() / "manifest.json") or {}
    modified = _changed_nodes(before_manifest, now_manifest)
    reasons = [f"新数据 (loaded since the last build): {_source_label(u)} → 重建其下游 (rebuild what reads it)"
               for u in fresher]
    if modified:
        names = ", ".join(u.split(".")[-1] for u in modified[:8])
        reasons.append(f"代码或种子表已修改 (code or seeds changed): {len(modified)} node(s): {names}"
                       f"{' …' if len(modified) > 8 else ''} → 重建其本身及下游 (rebuild them and what reads them); "
                       "增量模型从头重建 (incremental models from scratch, --full-refresh)")
    elif incremental := _incremental_reached(now_manifest, fresher):
        reasons.append("增量模型只计算输入有变化的评价年度 (incremental models compute only the evaluation years "
                       f"whose inputs changed): {', '.join(incremental)}")
    loans_delta = False
    by_loan, their_sources = _by_loan(now_manifest)
    reached = sorted(set(fresher) & their_sources)
    if reached and not modified:
        others = _moved(before_sources, now_sources, their_sources - {LOANS_SOURCE})
        loans_delta = LOANS_SOURCE in reached and not others
        reasons.append(f"贷款模型只重算变化的贷款 (the loan models compute only the loans changed since their last "
                       f"build): {', '.join(by_loan)}" if loans_delta else
                       "贷款模型全部重算 (the loan models compute every loan: "
                       f"{', '.join(_source_label(u) for u in others)} changed since the last build)")
    if fresher and not modified:
        reasons.append("代码未变，单元测试不运行 (no code changed: dbt's unit tests, which read fixed rows and no "
                       "warehouse data, are left out; every data test runs)")
    if not reasons:
        reasons.append("自上次构建以来没有新数据或代码变化 (no data loaded and no code changed since the last build)")
    return Plan(list(SELECTORS), reasons, fresher, modified, record, now_sources, loans_delta)


def _save(record: Path, sources: dict[str, Any]) -> None:
    """Keep the manifest that built and the freshness read before it, replaced all at once."""
    manifest = _target() / "manifest.json"
    record.parent.mkdir(parents=True, exist_ok=True)
    statefile.ensure_private_dir(record.parent)
    tmp = Path(tempfile.mkdtemp(prefix=f".{record.name}-", dir=record.parent))
    try:
        shutil.copyfile(manifest, tmp / "manifest.json")
        (tmp / "sources.json").write_text(json.dumps(sources), encoding="utf-8")
        built = _load(manifest) or {}
        with db.connect(db.TRANSFORMER, autocommit=True) as conn:
            ident = {**_warehouse_id(), "unlogged_with_rows": _unlogged_with_rows(conn, built)}
        (tmp / "warehouse.json").write_text(json.dumps(ident), encoding="utf-8")
        for f in tmp.iterdir():
            f.chmod(statefile.PRIVATE_FILE)
        old = record.with_name(f".{record.name}-old")
        shutil.rmtree(old, ignore_errors=True)
        if record.exists():
            record.rename(old)
        tmp.rename(record)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def rebuild(full: bool = False) -> Plan:
    """Plan, build what the plan covers (``dbt build`` of the selection, or of everything), and on
    success record the state the next plan compares with. A failed build records nothing, so the next
    plan selects the same again. Incremental models are rebuilt from scratch when the plan says so."""
    p = plan(full)
    if p.nothing:
        log.info("nothing changed since the last build")
        return p
    sources = p.sources if p.sources is not None else read_freshness()  # the state this build starts from
    if p.full:
        build(full_refresh=True)
    else:
        build(p.select, state=p.state, full_refresh=p.from_scratch, unit_tests=p.unit_tests,
              variables={"loans_delta": True} if p.loans_delta else None)
    _save(state_dir(), sources)
    return p


def clear() -> None:
    """Forget the record (the next plan builds everything)."""
    shutil.rmtree(state_dir(), ignore_errors=True)


def built_models(kind: str = "model") -> list[str]:
    """The nodes of this kind (``model``, ``unit_test``, ``test``) the last dbt run built or ran with
    success, by name, from target/run_results.json."""
    data = _load(_target() / "run_results.json") or {}
    return sorted(x["unique_id"].split(".")[-1] for x in data.get("results", [])
                  if str(x.get("unique_id", "")).startswith(f"{kind}.")
                  and x.get("status") in ("success", "pass"))


__all__ = ["LOANS_SOURCE", "SELECTORS", "Plan", "built_models", "clear", "plan", "read_freshness", "rebuild",
           "state_dir"]
