"""Scoring commands: `innopoints explain` (an enterprise's score breakdown) and `innopoints docs`
(the dbt documentation site for analysts)."""

from __future__ import annotations

import argparse
import functools
import http.server
import logging

from innopoints.console import result

log = logging.getLogger(__name__)


def _explain(args: argparse.Namespace) -> int:
    from innopoints.scoring.explain import explain

    return explain(args.enterprise, args.scheme, args.year, as_json=args.json)


def _docs(args: argparse.Namespace) -> int:
    from innopoints.config import get_settings
    from innopoints.warehouse import dbt, ensure_ready

    ensure_ready()
    dbt(["docs", "generate"])
    target = get_settings().project_root / "target"
    result(f"documentation generated in {target} (index.html, manifest.json, catalog.json)")
    if args.no_serve:
        return 0
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(target))
    with http.server.ThreadingHTTPServer((args.host, args.port), handler) as httpd:
        result(f"serving the dbt docs on http://{args.host}:{args.port}/ (Ctrl-C to stop)")
        try:
            httpd.serve_forever()
        except KeyboardInterrupt:
            log.info("stopped")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    e = sub.add_parser(
        "explain",
        help="an enterprise's score breakdown (积分说明): indicators, points lost, next grade",
        description="Print the score breakdown an officer shows an enterprise, read from the marts. "
                    "The enterprise is its USCC or part of its name; when several names match, pick one "
                    "by number (on a terminal) or rerun with the USCC. Exit status: 0 printed, 2 bad USCC, "
                    "7 nothing found, 5 several enterprises match the name.",
    )
    e.add_argument("enterprise", metavar="USCC|NAME",
                   help="unified social credit code (统一社会信用代码, 18 characters) or part of the enterprise "
                        "name (企业名称), e.g. 润东")
    e.add_argument("--scheme", help="scheme code, e.g. LN-2025 (default: every scheme the enterprise is scored in)")
    e.add_argument("--year", type=int, help="evaluation year (default: the latest scored year)")
    e.add_argument("--json", action="store_true", help="machine-readable output")
    e.set_defaults(func=_explain)

    d = sub.add_parser("docs", help="generate the dbt documentation and serve it locally for analysts")
    d.add_argument("--no-serve", action="store_true", help="only generate (target/index.html)")
    d.add_argument("--port", type=int, default=8080)
    d.add_argument("--host", default="127.0.0.1")
    d.set_defaults(func=_docs)
