"""The warehouse against the independent implementation of scoring.md, to the cent, on generated data."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from innopoints import db
from innopoints.config import Settings

from .spec_reference import Reference, load_feeds, read_seeds

ROOT = Path(__file__).resolve().parents[2]


def _fetch(conn, query: str) -> list[dict]:
    cur = conn.execute(query)
    names = [c.name for c in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def test_scores_match_independent_implementation(built_warehouse: Settings) -> None:
    with db.connect("admin", built_warehouse) as conn:
        expected = Reference(load_feeds(conn), read_seeds(ROOT)).score()
        scores = _fetch(conn, "select * from marts.fct_enterprise_scores")
        points = _fetch(conn, "select * from marts.fct_indicator_scores")
    assert expected, "the reference found nobody to score: is the demo data empty?"
    got = {(r["scheme_code"], r["eval_year"], r["uscc"]): r for r in scores}
    assert set(got) == set(expected), "evaluated population differs"
    mismatches = []
    for key, exp in expected.items():
        row = got[key]
        for col in ("total_points", "grade", "stage", "rank_in_region", "evaluated_in_region"):
            g, e = row[col], getattr(exp, col)
            if isinstance(e, Decimal):
                g, e = Decimal(str(g)).quantize(Decimal("0.01")), e.quantize(Decimal("0.01"))
            if g != e:
                mismatches.append((key, col, g, e))
        codes = row["veto_codes"] or []
        if isinstance(codes, str):  # the mart lists codes as text, e.g. "V01,V02"
            codes = [c.strip() for c in codes.split(",") if c.strip()]
        if sorted(codes) != sorted(exp.veto_codes):
            mismatches.append((key, "veto_codes", row["veto_codes"], exp.veto_codes))
    assert not mismatches, f"{len(mismatches)} mismatches, first: {mismatches[:10]}"

    expected_p = {(*key, code): s for key, e in expected.items() for code, s in e.indicators.items()}
    got_p = {(r["scheme_code"], r["eval_year"], r["uscc"], r["indicator_code"]): r for r in points}
    assert set(got_p) == set(expected_p), "indicator rows differ"
    bad = []
    for key, exp in expected_p.items():
        row = got_p[key]
        if Decimal(str(row["points"])).quantize(Decimal("0.01")) != exp.points.quantize(Decimal("0.01")):
            bad.append((key, "points", row["points"], exp.points, exp.ratio, exp.value))
        if exp.cohort_size is not None and row["cohort_size"] != exp.cohort_size:
            bad.append((key, "cohort_size", row["cohort_size"], exp.cohort_size))
        if abs(Fraction(Decimal(str(row["ratio"]))) - exp.ratio) > Fraction(1, 10**6):
            bad.append((key, "ratio", row["ratio"], float(exp.ratio)))
    assert not bad, f"{len(bad)} indicator mismatches, first: {bad[:10]}"
