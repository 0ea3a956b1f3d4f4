"""The audiences of the dashboards (../shared/spec/dashboards.md) as PostgreSQL login roles.

- ``innopoints_reporter``: province officers, leadership and analysts, every row (group
  ``innopoints_read_all``);
- ``innopoints_city_<code>``: one per city of the regions seed, that city's rows (``innopoints_read_city``);
- ``innopoints_bank_<code>``: one per partner bank of the banks seed, the enterprises that consented to
  it and its own loans (``innopoints_read_bank``).

The row-level security policies that give each group its rows are put on every mart by dbt
(macros/access/apply_access.sql); access.audiences tells them the city or bank of each login.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from innopoints import seeds

READ_ALL = "innopoints_read_all"
READ_CITY = "innopoints_read_city"
READ_BANK = "innopoints_read_bank"
# what one reporting query may cost: the database stops it after this long
STATEMENT_TIMEOUT = "60s"


@dataclass(frozen=True)
class Audience:
    role: str  # the login role
    kind: str  # city | bank
    code: str  # region code or bank code
    label: str

    @property
    def group(self) -> str:
        return READ_CITY if self.kind == "city" else READ_BANK


def city_role(region_code: str) -> str:
    return f"innopoints_city_{region_code}".lower()


def bank_role(bank_code: str) -> str:
    return f"innopoints_bank_{bank_code}".lower()


def audiences(project_root: Path) -> list[Audience]:
    """One login role per city and per bank, from the reference seeds."""
    out = [Audience(city_role(r["region_code"]), "city", r["region_code"], r["region_name_zh"])
           for r in seeds.load("regions", project_root) if r["level"] == "city"]
    out += [Audience(bank_role(r["bank_code"]), "bank", r["bank_code"], r["bank_name_zh"])
            for r in seeds.load("ref_banks", project_root)]
    return out
