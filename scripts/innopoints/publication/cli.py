"""`innopoints publicize`, `objection`, `publish` and `push`: the evaluation cycle's commands."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from innopoints.console import result
from innopoints.errors import InnopointsError, UsageError


def _publish(args: argparse.Namespace) -> int:
    from innopoints.publication import publish as pub
    from innopoints.warehouse import ensure_ready

    ensure_ready()
    if args.list:
        for r in pub.list_publications():
            period = f"  公示期 {r[8]:%Y-%m-%d}–{r[9]:%Y-%m-%d}" if r[7] == "publicity" else (
                f"  依据公示 {r[10]}" if r[10] else "")
            result(f"{r[0]:>5}  {pub.KIND_ZH[r[7]]}  {r[1]:<10} {r[2]}  {r[3]:%Y-%m-%d %H:%M}  {r[4]:>6} 家企业 "
                  f"enterprises  校验 dq {r[5]}{period}")
        return 0
    if args.verify is not None:
        ok, msg = pub.verify(args.verify)
        result(msg)
        return 0 if ok else InnopointsError.exit_code
    if not args.scheme or not args.year:
        raise UsageError("需要 --scheme 和 --year (--scheme and --year are required), 或 (or) --list / --verify ID")
    p = pub.publish(args.scheme, args.year)
    if p.created:
        result(f"已正式发布 (final list published): 发布编号 {p.publication_id} = {p.scheme_code} {p.eval_year}，"
              f"依据公示名单 {p.publicity_publication_id}，{p.n_enterprises:,} 家企业 (enterprises)，"
              f"sha256 {p.content_sha256}，校验 (validation) {p.dq_run_id}；"
              f"与公示名单相比有变化的企业 {p.n_changes} 家 (changed since publicity, see audit.publication_changes "
              "and the 公示与异议 dashboard)"
              + (f"；指标得分与公示名单 {p.indicator_rows_from} 相同，共用其行 (indicator rows shared with "
                 "the publicity list: same validation, same content hash)"
                 if p.indicator_rows_from is not None else ""))
    else:
        result(f"无变化 (unchanged): 发布编号 {p.publication_id} ({p.scheme_code} {p.eval_year}) 已是这些积分 "
              "(already holds exactly these scores)，未新增发布 (nothing appended)")
    return 0


def _publicize(args: argparse.Namespace) -> int:
    from innopoints.publication import publish as pub
    from innopoints.warehouse import ensure_ready

    ensure_ready()
    p = pub.publicize(args.scheme, args.year, args.days, args.opens)
    from innopoints.documents import publicity_dir, write_publicity_documents

    out = args.out or publicity_dir(p.publication_id)
    files = write_publicity_documents(p.publication_id, out)
    state = "已公示 (publicity list frozen)" if p.created else "无变化 (unchanged: this list is already on publicity)"
    result(f"{state}: 发布编号 {p.publication_id} = {p.scheme_code} {p.eval_year} 公示名单，"
           f"{p.n_enterprises:,} 家企业，公示期 {p.opens_on:%Y-%m-%d} 至 {p.closes_on:%Y-%m-%d}（含），"
           f"sha256 {p.content_sha256}\n"
          f"  公示文件 (publicity documents): {len(files)} 个文件 (files) in {out}\n"
          f"  异议登记 (record objections): innopoints objection add --publication {p.publication_id} ...\n"
          f"  期满且异议处理完毕后正式发布 (then): innopoints publish --scheme {p.scheme_code} --year {p.eval_year}")
    return 0


def _objection(args: argparse.Namespace) -> int:
    from innopoints.publication import objections as obj
    from innopoints.warehouse import ensure_ready

    ensure_ready()
    if args.action == "add":
        oid = obj.record(args.publication, args.uscc, obj.Subject.parse(args.subject), args.claim,
                         args.evidence, args.received)
        result(f"已登记异议 (objection recorded) #{oid}")
    elif args.action == "import":
        ids = obj.import_form(args.file, args.publication)
        result(f"已导入异议 (objections recorded) {len(ids)} 件: #" + ", #".join(map(str, ids)))
    elif args.action == "decide":
        if args.reject:
            obj.reject(args.id, args.reason, args.on)
            result(f"异议 #{args.id}: 不予采纳 (rejected)")
        elif args.redelivery is not None:
            obj.accept_redelivery(args.id, args.reason, args.on, args.redelivery)
            result(f"异议 #{args.id}: 予以采纳，以重新交付的数据更正 (accepted, corrected by batch "
                  f"{args.redelivery}); "
                  "rebuild and validate before the final list: innopoints build && innopoints validate")
        elif args.adjust:
            feed, _, field = args.adjust.partition(".")
            key = dict(kv.split("=", 1) for kv in args.key)
            adj = obj.accept_adjustment(args.id, args.reason, args.on, feed, field, key,
                                        None if args.new_value == "" else args.new_value, args.approver or "",
                                        args.evidence or "")
            result(f"异议 #{args.id}: 予以采纳，更正记录 #{adj} (accepted, adjustment {adj}); "
                  "rebuild and validate before the final list: innopoints build && innopoints validate")
        else:
            raise UsageError("decide: --reject, or --accept with --redelivery BATCH or --adjust "
                             "FEED.FIELD --new-value V --approver NAME --evidence REF")
    else:
        for r in obj.list_objections(args.publication):
            result(f"#{r[0]:<5} 公示 {r[1]}  {r[2]}  {r[3]:<28} 收到 {r[4]:%Y-%m-%d}  {r[5]}"
                  f"{'/' + r[6] if r[6] else ''}{'  ' + f'{r[7]:%Y-%m-%d}' if r[7] else ''}  {r[8]}")
    return 0


def _push(args: argparse.Namespace) -> int:
    from innopoints.publication.push import push
    from innopoints.warehouse import ensure_ready

    ensure_ready()
    r = push(args.bank, args.publication, args.out, args.date)
    result(f"推送完成 (push done): 推送编号 {r.push_id}，发布编号 {r.publication_id} → 银行 {r.bank_code}，"
          f"推送日期 {r.push_date}：{r.n_enterprises:,} 家企业 (授权在有效期内 consent in force)\n"
          f"  {r.xlsx}  sha256 {r.xlsx_sha256}\n  {r.csv}  sha256 {r.csv_sha256}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("publish", help="the final list (正式发布) of a scheme's year: after its publicity list has "
                       "closed with every objection decided, and only when the latest validation passed")
    p.add_argument("--scheme", help="scheme code, e.g. LN-2025")
    p.add_argument("--year", type=int, help="evaluation year, e.g. 2024")
    p.add_argument("--list", action="store_true", help="list the latest publications")
    p.add_argument("--verify", type=int, metavar="ID", help="recompute a publication's content hash and compare")
    p.set_defaults(func=_publish)
    c = sub.add_parser("publicize", help="freeze a publicity list (公示名单) of a scheme's scores for a period; "
                       "objections are received until it closes, then `publish` makes the final list")
    c.add_argument("--scheme", required=True, help="scheme code, e.g. LN-2025")
    c.add_argument("--year", required=True, type=int, help="evaluation year, e.g. 2024")
    c.add_argument("--days", required=True, type=int, help="length of the publicity period in calendar days")
    c.add_argument("--opens", type=date.fromisoformat, help="first day YYYY-MM-DD (default today, Beijing time)")
    c.add_argument("--out", type=Path, help="folder for the publicity documents (default publicity/publication<ID>)")
    c.set_defaults(func=_publicize)
    o = sub.add_parser("objection", help="record, import, decide and list objections (异议) to a publicity list")
    osub = o.add_subparsers(dest="action", required=True)
    a = osub.add_parser("add", help="record one objection")
    a.add_argument("--publication", required=True, type=int, help="the publicity list's publication id")
    a.add_argument("--uscc", required=True, help="the enterprise's USCC")
    a.add_argument("--subject", required=True, help="indicator code (e.g. C03) or feed.field (e.g. tax.taxes_paid)")
    a.add_argument("--claim", required=True, help="what the enterprise claims (异议内容)")
    a.add_argument("--evidence", required=True, help="reference of the evidence handed in (证明材料编号)")
    a.add_argument("--received", required=True, type=date.fromisoformat, help="date received YYYY-MM-DD")
    i = osub.add_parser("import", help="record every objection of an officers' form (CSV or XLSX), all or none")
    i.add_argument("file", type=Path)
    i.add_argument("--publication", required=True, type=int, help="the publicity list's publication id")
    d = osub.add_parser("decide", help="decide an objection: --reject, or --accept with its correction")
    d.add_argument("id", type=int, help="objection number")
    g = d.add_mutually_exclusive_group(required=True)
    g.add_argument("--reject", action="store_true", help="不予采纳")
    g.add_argument("--accept", action="store_true", help="予以采纳 (give --redelivery or --adjust)")
    d.add_argument("--reason", required=True, help="the reason (复核意见), in Chinese")
    d.add_argument("--on", type=date.fromisoformat, default=date.today(), help="decision date YYYY-MM-DD")
    d.add_argument("--redelivery", type=int, metavar="BATCH", help="import batch of the corrected feed delivery")
    d.add_argument("--adjust", metavar="FEED.FIELD", help="record an adjustment of this field")
    d.add_argument("--key", nargs="*", default=[], metavar="NAME=VALUE",
                   help="the row's key besides the enterprise's USCC, e.g. year=2024")
    d.add_argument("--new-value", help="the corrected value ('' sets it empty)")
    d.add_argument("--approver", help="who approved the correction (审批人)")
    d.add_argument("--evidence", help="evidence reference (证明材料编号)")
    ls = osub.add_parser("list", help="list objections and their status")
    ls.add_argument("--publication", type=int, help="only those of this publicity list")
    o.set_defaults(func=_objection)
    q = sub.add_parser("push", help="write the 科技型企业积分情况表 of a publication for one partner bank")
    q.add_argument("--bank", required=True, help="bank code (seeds/reference/ref_banks.csv)")
    q.add_argument("--publication", required=True, type=int, help="publication id (innopoints publish --list)")
    q.add_argument("--out", type=Path, default=Path("pushes"), help="output folder (default ./pushes)")
    q.add_argument("--date", type=date.fromisoformat, help="push date YYYY-MM-DD (default today, Asia/Shanghai)")
    q.set_defaults(func=_push)
