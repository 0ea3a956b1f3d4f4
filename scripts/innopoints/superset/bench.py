"""`innopoints bench dashboards`: per-chart data request latency, cold (force=true) and warm (cached).

Against the running Superset (`innopoints serve`) and whatever warehouse it is connected to. For each
dashboard, every chart's saved query context is posted to /api/v1/chart/data: cold requests bypass
the cache (force=true, so PostgreSQL runs the query), warm ones are served as a dashboard reload is.
The values of each native filter, requested as the dashboard opens, are timed cold as well.
Reports p50/p95 per dashboard and the worst chart, against the targets (p95 warm < 500 ms, cold < 2 s).
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path
from typing import Any

from innopoints.console import result
from innopoints.superset.assets_spec import CHARTS
from innopoints.superset.authoring import authored_chart_ids
from innopoints.superset.client import SupersetClient
from innopoints.superset.env import SupersetEnv, read_json

WARM_TARGET_MS = 500.0
COLD_TARGET_MS = 2000.0


def p95(values: list[float]) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    k = max(0, min(len(s) - 1, round(0.95 * (len(s) - 1))))
    return s[k]


def _client(env: SupersetEnv, user: str) -> SupersetClient:
    if user == "admin":
        creds = read_json(env.admin_file)
        return SupersetClient(env.base_url, creds["username"], creds["password"])
    return SupersetClient(env.base_url, user, read_json(env.users_file)[user]["password"])


def _timed(client: SupersetClient, body: dict[str, Any]) -> tuple[float, bool]:
    t = time.perf_counter()
    r = client.session.post(f"{client.base_url}/api/v1/chart/data", json=body, timeout=client.timeout)
    ms = (time.perf_counter() - t) * 1000
    ok = r.status_code == 200 and not r.json()["result"][0].get("error")
    return ms, ok


def _first_value(client: SupersetClient, target: dict[str, Any], column: str, cache: dict[str, Any],
                 where: str | None = None) -> Any:
    """The value a `defaultToFirstItem` filter opens with: the column's largest value (sorted descending)
    among the rows its pre-filter (SQL) leaves."""
    ds_id = _dataset_id(client, target, cache)
    key = f"{ds_id}:{column}:{where}"
    if key not in cache:
        body = {"datasource": {"id": ds_id, "type": "table"}, "force": False, "result_format": "json",
                "result_type": "full",
                "queries": [{"columns": [column], "metrics": [], "orderby": [[column, False]], "row_limit": 1,
                             "filters": [{"col": column, "op": "IS NOT NULL"}],
                 "extras": {"where": where or ""}}]}
        r = client.request("POST", "/api/v1/chart/data", json=body).json()
        data = r["result"][0]["data"]
        cache[key] = data[0][column] if data else None
    return cache[key]


def _dataset_id(client: SupersetClient, target: dict[str, Any], cache: dict[str, Any]) -> int:
    ds_id = target.get("datasetId")
    if ds_id is None:  # not imported yet: the bundle names the dataset by UUID
        key = f"uuid:{target.get('datasetUuid')}"
        if key not in cache:
            cache[key] = next(d["id"] for d in client.list_all("/api/v1/dataset/", columns=["id", "uuid"])
                              if str(d.get("uuid")) == str(target.get("datasetUuid")))
        ds_id = cache[key]
    return int(ds_id)


def _prefilter(f: dict[str, Any]) -> str:
    """A native filter's pre-filter: the SQL its values are limited by ("" when none)."""
    return " AND ".join(a["sqlExpression"] for a in f.get("adhoc_filters") or [] if a.get("expressionType") == "SQL")


def dashboard_filters(client: SupersetClient, dashboard_id: int) -> list[dict[str, Any]]:
    """The native filter configuration of a dashboard, as imported."""
    meta = json.loads(client.get(f"/api/v1/dashboard/{dashboard_id}")["result"].get("json_metadata") or "{}")
    return meta.get("native_filter_configuration", [])


def filter_value_bodies(client: SupersetClient, filters: list[dict[str, Any]],
                        cache: dict[str, Any]) -> list[dict[str, Any]]:
    """The requests a dashboard's native select filters make for their values as it opens (the column's
    distinct values, up to 1,000, under the filter's pre-filter)."""
    bodies = []
    for f in filters:
        target = (f.get("targets") or [{}])[0]
        column = target.get("column", {}).get("name")
        if not column:
            continue
        ascending = (f.get("controlValues") or {}).get("sortAscending", True)
        bodies.append({"datasource": {"id": _dataset_id(client, target, cache), "type": "table"},
                       "result_format": "json", "result_type": "full",
                       "queries": [{"columns": [column], "metrics": [], "orderby": [[column, ascending]],
                                    "row_limit": 1000, "filters": [], "extras": {"where": _prefilter(f)}}]})
    return bodies


def _keys_in_scope(f: dict[str, Any]) -> list[str]:
    """The chart keys (as in assets_spec) a native filter applies to, from the authored ids in scope."""
    by_id = {i: key for key, i in authored_chart_ids().items()}
    return [by_id[int(cid)] for cid in f.get("chartsInScope", []) if int(cid) in by_id]


def default_filters(
    client: SupersetClient, filters: list[dict[str, Any]], cache: dict[str, Any]
) -> dict[str, list[dict[str, Any]]]:
    """Per chart key, the filters the dashboard applies when it opens (native filter defaults)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for f in filters:
        target = (f.get("targets") or [{}])[0]
        column = target.get("column", {}).get("name")
        values = (f.get("defaultDataMask") or {}).get("filterState", {}).get("value")
        if not values and (f.get("controlValues") or {}).get("defaultToFirstItem"):
            first = _first_value(client, target, column, cache, _prefilter(f) or None)
            values = [first] if first is not None else None
        if not column or not values:
            continue
        # chartsInScope holds the chart ids as authored; an import may give the charts other ids, so
        # scope by the position of each chart (CHART-<key>), which the import keeps, instead
        for key in _keys_in_scope(f):
            out.setdefault(key, []).append({"col": column, "op": "IN", "val": list(values)})
    return out


def run_bench(env: SupersetEnv, repeat: int = 7, cold_repeat: int = 3, user: str = "admin",
              json_out: str | None = None, with_defaults: bool = False) -> int:
    """with_defaults: apply each dashboard's default filters (year, scheme) as the dashboard does on opening;
    without, every chart queries its whole table (a worst case)."""
    client = _client(env, user)
    keys_by_title = {c.title: c.key for c in CHARTS}
    cache: dict[str, Any] = {}
    dashboards = list(client.list_all("/api/v1/dashboard/", columns=["id", "slug", "dashboard_title"]))
    report: list[dict[str, Any]] = []
    failures = 0
    for d in sorted(dashboards, key=lambda x: x["id"]):
        charts = client.get(f"/api/v1/dashboard/{d['id']}/charts")["result"]
        filters = dashboard_filters(client, d["id"])
        defaults = default_filters(client, filters, cache) if with_defaults else {}
        cold_all: list[float] = []
        warm_all: list[float] = []
        worst = ("", 0.0)
        filter_cold: list[float] = []
        for body in filter_value_bodies(client, filters, cache):
            for _ in range(cold_repeat):
                ms, ok = _timed(client, {**body, "force": True})
                filter_cold.append(ms)
                failures += not ok
        for ch in charts:
            detail = client.get(f"/api/v1/chart/{ch['id']}")["result"]
            if not detail.get("query_context"):
                continue
            body = json.loads(detail["query_context"])
            body.update({"result_format": "json", "result_type": "full"})
            for q in body.get("queries", []):
                q["filters"] = [*q.get("filters", []), *defaults.get(keys_by_title.get(ch["slice_name"], ""), [])]
            for _ in range(cold_repeat):
                ms, ok = _timed(client, {**body, "force": True})
                cold_all.append(ms)
                failures += not ok
                if ms > worst[1]:
                    worst = (ch["slice_name"], ms)
            for _ in range(repeat):
                ms, ok = _timed(client, {**body, "force": False})
                warm_all.append(ms)
                failures += not ok
        row = {
            "dashboard": d["dashboard_title"], "slug": d.get("slug"), "charts": len(charts),
            "cold_p50_ms": statistics.median(cold_all) if cold_all else None, "cold_p95_ms": p95(cold_all),
            "warm_p50_ms": statistics.median(warm_all) if warm_all else None, "warm_p95_ms": p95(warm_all),
            "slowest_cold_chart": worst[0], "slowest_cold_ms": worst[1],
            "filters": len(filter_cold) // max(cold_repeat, 1), "filter_values_cold_p95_ms": p95(filter_cold),
        }
        report.append(row)
    result(f"{'dashboard':<12} {'charts':>6} {'cold p50':>9} {'cold p95':>9} "
          f"{'warm p50':>9} {'warm p95':>9} {'filters cold p95':>17}  slowest (cold)")
    ok_all = failures == 0
    for r in report:
        filters_cold = r["filter_values_cold_p95_ms"] if r["filters"] else 0.0
        meets = ((r["cold_p95_ms"] or 0) < COLD_TARGET_MS and (r["warm_p95_ms"] or 0) < WARM_TARGET_MS
                 and filters_cold < COLD_TARGET_MS)
        ok_all &= meets
        result(f"{r['dashboard']:<12} {r['charts']:>6} {r['cold_p50_ms'] or 0:>8.0f}ms {r['cold_p95_ms']:>8.0f}ms "
              f"{r['warm_p50_ms'] or 0:>8.0f}ms {r['warm_p95_ms']:>8.0f}ms {filters_cold:>8.0f}ms ({r['filters']})  "
              f"{r['slowest_cold_chart']} ({r['slowest_cold_ms']:.0f}ms){'' if meets else '  <- over target'}")
    result("filters: " + ("each dashboard's defaults (as opened)" if with_defaults else "none (whole tables)"))
    result(f"targets: p95 warm < {WARM_TARGET_MS:.0f} ms, cold < {COLD_TARGET_MS:.0f} ms; failed requests: {failures}")
    if json_out:
        Path(json_out).write_text(json.dumps({"user": user, "with_defaults": with_defaults, "dashboards": report,
                                              "failures": failures},
                                             ensure_ascii=False, indent=2))
    return 0 if ok_all else 1
