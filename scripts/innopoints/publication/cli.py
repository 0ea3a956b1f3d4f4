"""`innopoints publish` and `innopoints push`."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path


def _publish(args: argparse.Namespace) -> int:
    from innopoints.commands.db_cmd import ensure_ready
    from innopoints.publication import publish as pub

    ensure_ready()
    if args.list:
        for r in pub.list_publications():
            print(f"{r[0]:>5}  {r[1]:<10} {r[2]}  {r[3]:%Y-%m-%d %H:%M}  {r[4]:>6} 家企业 enterprises  "
                  f"校验 dq {r[5]}  {r[6]}")
        return 0
    if args.verify is not None:
        ok, msg = pub.verify(args.verify)
        print(msg)
        return 0 if ok else 1
    if not args.scheme or not args.year:
        print("innopoints publish: 需要 --scheme 和 --year (--scheme and --year are required), "
              "或 (or) --list / --verify ID", file=sys.stderr)
        return 2
    try:
        p = pub.publish(args.scheme, args.year)
    except pub.PublicationRefused as exc:
        print(f"innopoints publish: 发布被拒绝 (refused): {exc}", file=sys.stderr)
        return 1
    if p.created:
        print(f"已发布 (published): 发布编号 {p.publication_id} = {p.scheme_code} {p.eval_year}，"
              f"{p.n_enterprises:,} 家企业 (enterprises)，sha256 {p.content_sha256}，校验 (validation) {p.dq_run_id}")
    else:
        print(f"无变化 (unchanged): 发布编号 {p.publication_id} ({p.scheme_code} {p.eval_year}) 已是这些积分 "
              "(already holds exactly these scores)，未新增发布 (nothing appended)")
    return 0


def _push(args: argparse.Namespace) -> int:
    from innopoints.commands.db_cmd import ensure_ready
    from innopoints.publication.push import PushError, push

    ensure_ready()
    try:
        r = push(args.bank, args.publication, args.out, args.date)
    except PushError as exc:
        print(f"innopoints push: {exc}", file=sys.stderr)
        return 1
    print(f"推送完成 (push done): 推送编号 {r.push_id}，发布编号 {r.publication_id} → 银行 {r.bank_code}，"
          f"推送日期 {r.push_date}：{r.n_enterprises:,} 家企业 (授权在有效期内 consent in force)\n"
          f"  {r.xlsx}  sha256 {r.xlsx_sha256}\n  {r.csv}  sha256 {r.csv_sha256}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("publish", help="freeze a scheme's scores for a year (only when the latest validation passed)")
    p.add_argument("--scheme", help="scheme code, e.g. LN-2025")
    p.add_argument("--year", type=int, help="evaluation year, e.g. 2024")
    p.add_argument("--list", action="store_true", help="list the latest publications")
    p.add_argument("--verify", type=int, metavar="ID", help="recompute a publication's content hash and compare")
    p.set_defaults(func=_publish)
    q = sub.add_parser("push", help="write the 科技型企业积分情况表 of a publication for one partner bank")
    q.add_argument("--bank", required=True, help="bank code (seeds/reference/ref_banks.csv)")
    q.add_argument("--publication", required=True, type=int, help="publication id (innopoints publish --list)")
    q.add_argument("--out", type=Path, default=Path("pushes"), help="output folder (default ./pushes)")
    q.add_argument("--date", type=date.fromisoformat, help="push date YYYY-MM-DD (default today, Asia/Shanghai)")
    q.set_defaults(func=_push)
