"""`innopoints bench dashboards`: per-chart data request latency, cold (force=true) and warm (cached).

Against the running Superset (`innopoints serve`) and whatever warehouse it is connected to. For each
dashboard, every chart's saved query context is posted to /api/v1/chart/data: cold requests bypass
the cache (force=true, so PostgreSQL runs the query), warm ones are served as a dashboard reload is.
Reports p50/p95 per dashboard and the worst chart, against the targets (p95 warm < 500 ms, cold < 2 s).
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path
from typing import Any

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


def run_bench(env: SupersetEnv, repeat: int = 7, cold_repeat: int = 3, user: str = "admin",
              json_out: str | None = None) -> int:
    client = _client(env, user)
    dashboards = list(client.list_all("/api/v1/dashboard/", columns=["id", "slug", "dashboard_title"]))
    report: list[dict[str, Any]] = []
    failures = 0
    for d in sorted(dashboards, key=lambda x: x["id"]):
        charts = client.get(f"/api/v1/dashboard/{d['id']}/charts")["result"]
        cold_all: list[float] = []
        warm_all: list[float] = []
        worst = ("", 0.0)
        for ch in charts:
            detail = client.get(f"/api/v1/chart/{ch['id']}")["result"]
            if not detail.get("query_context"):
                continue
            body = json.loads(detail["query_context"])
            body.update({"result_format": "json", "result_type": "full"})
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
        }
        report.append(row)
    print(f"{'dashboard':<12} {'charts':>6} {'cold p50':>9} {'cold p95':>9} "
          f"{'warm p50':>9} {'warm p95':>9}  slowest (cold)")
    ok_all = failures == 0
    for r in report:
        meets = (r["cold_p95_ms"] or 0) < COLD_TARGET_MS and (r["warm_p95_ms"] or 0) < WARM_TARGET_MS
        ok_all &= meets
        print(f"{r['dashboard']:<12} {r['charts']:>6} {r['cold_p50_ms'] or 0:>8.0f}ms {r['cold_p95_ms']:>8.0f}ms "
              f"{r['warm_p50_ms'] or 0:>8.0f}ms {r['warm_p95_ms']:>8.0f}ms  {r['slowest_cold_chart']} "
              f"({r['slowest_cold_ms']:.0f}ms){'' if meets else '  <- over target'}")
    print(f"targets: p95 warm < {WARM_TARGET_MS:.0f} ms, cold < {COLD_TARGET_MS:.0f} ms; failed requests: {failures}")
    if json_out:
        Path(json_out).write_text(json.dumps({"user": user, "dashboards": report, "failures": failures},
                                             ensure_ascii=False, indent=2))
    return 0 if ok_all else 1
