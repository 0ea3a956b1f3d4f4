"""`innopoints bench import|build|dashboards|run|reports|publicity`: benchmarks that print their figures."""

from __future__ import annotations

import argparse
import importlib

BENCHES = {
    "import": ("innopoints.importer.bench", "bench_import", "import throughput and memory vs bare COPY"),
    "build": ("innopoints.scoring.bench", "bench_build", "dbt build time vs one plain CTAS pass"),
    "dashboards": ("innopoints.superset.cli", "bench_dashboards", "chart data request latency, warm and cold"),
    "run": ("innopoints.publication.bench", "bench_run",
            "one `innopoints run` from files to pushes, step by step beside its floors, then a monthly delivery"),
    "reports": ("innopoints.documents.bench", "bench_reports", "bulk 积分报告单 of a 20,000-enterprise publication"),
    "publicity": ("innopoints.documents.publicity_bench", "bench_publicity",
                  "the publicity documents (XLSX + PDF) of a national list of 898,607 enterprises"),
}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bench", help="benchmarks: " + ", ".join(BENCHES))
    bsub = p.add_subparsers(dest="bench", required=True, metavar="BENCH")
    for name, (module_name, func_name, help_text) in BENCHES.items():
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            continue
        bp = bsub.add_parser(name, help=help_text)
        module.add_bench_arguments(bp)
        bp.set_defaults(func=getattr(module, func_name))
