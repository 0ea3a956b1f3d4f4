"""The national benchmark's verdicts: a target is judged only on the figure it is about. A run on a kept
database (--reuse-db) imports nothing and builds only what changed, so its year figures are not the
targets' figures: it judges the monthly delivery and says the others were not measured."""

from __future__ import annotations

from innopoints.publication.bench import TARGETS, target_lines

NATIONAL = TARGETS["national"]


def _line(lines: list[str], what: str) -> str:
    found = [x for x in lines if x.strip().startswith(what)]
    assert len(found) == 1, lines
    return found[0]


def test_a_run_from_files_is_judged_on_every_target() -> None:
    lines, ok = target_lines(NATIONAL, year_s=1_190.0, validate_s=181.0, month_s=115.1, build_ratio=39.9,
                             year_measured=True)
    assert not ok  # validate 181 s > 180 s
    assert _line(lines, "end to end").endswith("target ≤ 1200 s: met)")
    assert _line(lines, "validate").endswith("target ≤ 180 s: NOT met)")
    assert _line(lines, "monthly loans delivery").endswith("target ≤ 120 s: met)")
    assert _line(lines, "build / CTAS").endswith("target ≤ 40 ×: met)")
    lines, ok = target_lines(NATIONAL, 1_190.0, 179.0, 119.9, 40.0, year_measured=True)
    assert ok, lines


def test_a_kept_database_judges_only_the_monthly_delivery() -> None:
    # the figures of a --reuse-db run measured here: its year run built 9 s of changes in a 146 s run
    lines, ok = target_lines(NATIONAL, year_s=146.0, validate_s=7.5, month_s=115.1, build_ratio=0.3,
                             year_measured=False)
    assert not ok  # not every target measured
    assert _line(lines, "monthly loans delivery").endswith("target ≤ 120 s: met)")
    for what in ("end to end", "validate", "build / CTAS"):
        line = _line(lines, what)
        assert "not measured: --reuse-db" in line and "met" not in line.replace("measured", ""), line
    lines, _ = target_lines(NATIONAL, 146.0, 7.5, 130.0, 0.3, year_measured=False)
    assert _line(lines, "monthly loans delivery").endswith("NOT met)")
