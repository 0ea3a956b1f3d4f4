"""Roles, dataset permissions, dashboard audiences and row-level security, applied through the API.

Roles (one Superset role each, self-contained: Gamma's UI permissions + data access):
- ``province``, ``leadership``: every dataset, every dashboard, no row filter;
- ``analyst``: the same plus SQL Lab on schema ``marts`` only;
- ``city_<region_code>`` (14): datasets with a city column, rows of that city only (dashboards and
  SQL Lab: RLS_IN_SQLLAB is on);
- ``bank_<bank_code>`` (8): the score tables (BANK_ENTERPRISE_TABLES) and tables keyed by bank only,
  rows of enterprises whose consent to that bank is in force, and that bank's loans only;
- every data role reads the filter-values table (SCOPE_TABLES: schemes, years and cities, no
  enterprise figure) whole, city roles their city's rows.

Deny by default: for every dataset a Base filter ``1 = 0`` applies to every role except the
privileged ones and the roles that hold a Regular filter on that dataset. A user with a data role
that has no rule for a dataset sees nothing of it.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from innopoints import seeds
from innopoints.superset.client import SupersetClient
from innopoints.superset.env import DATABASE_NAME, SupersetError

log = logging.getLogger(__name__)

RLS_PREFIX = "innopoints:"
PRIVILEGED = ("province", "leadership", "analyst")
CITY_COLUMNS = ("city_code", "region_code")
BANK_COLUMN = "bank_code"
USCC_COLUMN = "uscc"


def _access_var(name: str) -> tuple[str, ...]:
    """A list of dbt's `access` var (dbt_project.yml): the one home of which marts banks and every
    audience read, shared with PostgreSQL's row-level security (macros/access/apply_access.sql)."""
    import yaml

    from innopoints.config import get_settings

    project = yaml.safe_load((get_settings().project_root / "dbt_project.yml").read_text(encoding="utf-8"))
    return tuple(project["vars"]["access"][name])


# Per-enterprise tables a bank officer may read (the published score, grade and breakdown); any other
# table keyed by enterprise (policy applications, coverage, ...) stays denied to banks.
BANK_ENTERPRISE_TABLES = _access_var("bank_enterprise_marts")
# Tables without any enterprise figure that every data role reads whole (city roles: their city's
# rows): the values of the dashboards' year, scheme and city filters.
SCOPE_TABLES = _access_var("open_marts")
# Enterprises whose consent to the bank is in force today. The consent mart is built by dbt.
CONSENT_TABLE = "marts.dim_bank_consents"
CONSENT_CLAUSE = (
    "{col} IN (SELECT c.uscc FROM " + CONSENT_TABLE + " c WHERE c.bank_code = '{bank}' AND c.is_in_force)"
)

# Which dashboards (by slug) each kind of role may open (DASHBOARD_RBAC).
AUDIENCE: dict[str, tuple[str, ...]] = {
    "leadership-cockpit": ("province", "leadership", "analyst", "city"),
    "score-distribution": ("province", "leadership", "analyst", "city"),
    "financing-monitor": ("province", "leadership", "analyst", "city", "bank"),
    "policy-delivery": ("province", "leadership", "analyst", "city"),
    "data-quality": ("province", "leadership", "analyst"),
    "enterprise-profile": ("province", "leadership", "analyst", "city", "bank"),
    "enterprise-lists": ("province", "leadership", "analyst", "city"),
    "bank-enterprises": ("province", "leadership", "analyst", "bank"),
    "publicity-objections": ("province", "leadership", "analyst", "city"),
}


@dataclass(frozen=True)
class RoleSpec:
    name: str
    kind: str  # province | leadership | analyst | city | bank
    code: str = ""  # region or bank code
    label: str = ""


@dataclass
class DatasetInfo:
    id: int
    table_name: str
    schema: str
    columns: set[str] = field(default_factory=set)

    @property
    def perm(self) -> str:
        return f"[{DATABASE_NAME}].[{self.table_name}](id:{self.id})"

    @property
    def city_column(self) -> str | None:
        return next((c for c in CITY_COLUMNS if c in self.columns), None)


def role_specs(project_root: Path) -> list[RoleSpec]:
    try:
        regions, banks = seeds.load("regions", project_root), seeds.load("ref_banks", project_root)
    except seeds.SeedError as exc:
        raise SupersetError(f"{exc}: the roles are derived from the reference seeds") from exc
    specs = [
        RoleSpec("province", "province", label="省级监测评价人员"),
        RoleSpec("leadership", "leadership", label="领导"),
        RoleSpec("analyst", "analyst", label="数据分析人员"),
    ]
    for row in regions:
        if row["level"] == "city":
            specs.append(RoleSpec(f"city_{row['region_code']}", "city", row["region_code"], row["region_name_zh"]))
    for row in banks:
        specs.append(RoleSpec(f"bank_{row['bank_code']}", "bank", row["bank_code"], row["bank_name_zh"]))
    return specs


# -- reading Superset state -------------------------------------------------------------------

def roles_by_name(client: SupersetClient) -> dict[str, int]:
    return {r["name"]: r["id"] for r in client.list_all("/api/v1/security/roles/")}


def ensure_roles(client: SupersetClient, names: Iterable[str]) -> dict[str, int]:
    existing = roles_by_name(client)
    for name in names:
        if name not in existing:
            res = client.post("/api/v1/security/roles/", {"name": name})
            existing[name] = int(res["id"])
    return existing


def permission_index(client: SupersetClient) -> dict[tuple[str, str], int]:
    out: dict[tuple[str, str], int] = {}
    for row in client.list_all("/api/v1/security/permissions-resources/", page_size=100):
        out[(row["permission"]["name"], row["view_menu"]["name"])] = row["id"]
    return out


def role_permission_ids(client: SupersetClient, role_id: int) -> set[int]:
    res = client.get(f"/api/v1/security/roles/{role_id}/permissions/")
    return {p["id"] for p in res["result"]}


def innopoints_datasets(client: SupersetClient) -> list[DatasetInfo]:
    out: list[DatasetInfo] = []
    for row in client.list_all("/api/v1/dataset/", columns=["id", "table_name", "schema", "database.database_name"]):
        if row.get("database", {}).get("database_name") != DATABASE_NAME:
            continue
        detail = client.get(f"/api/v1/dataset/{row['id']}")["result"]
        cols = {c["column_name"] for c in detail.get("columns", [])}
        out.append(DatasetInfo(row["id"], row["table_name"], row.get("schema") or "", cols))
    if not out:
        raise SupersetError("no dataset of the innopoints database in Superset: the asset import did not run")
    return out


# -- the policy -------------------------------------------------------------------------------

def datasets_for(spec: RoleSpec, datasets: list[DatasetInfo]) -> list[DatasetInfo]:
    if spec.kind in PRIVILEGED:
        return datasets
    if spec.kind == "city":
        return [d for d in datasets if d.city_column]
    if spec.kind == "bank":
        return [d for d in datasets
                if d.table_name in BANK_ENTERPRISE_TABLES + SCOPE_TABLES or BANK_COLUMN in d.columns]
    raise SupersetError(f"unknown role kind {spec.kind}")


def regular_clause(spec: RoleSpec, ds: DatasetInfo, consents: bool = True) -> str | None:
    """The row filter of a data role on a dataset. Without the consent mart, banks see no enterprise."""
    if spec.kind == "city" and ds.city_column:
        return f"{ds.city_column} = '{spec.code}'"
    if spec.kind == "bank":
        parts = []
        if USCC_COLUMN in ds.columns:
            parts.append(CONSENT_CLAUSE.format(col=USCC_COLUMN, bank=spec.code) if consents else "1 = 0")
        if BANK_COLUMN in ds.columns:
            parts.append(f"{BANK_COLUMN} = '{spec.code}'")
        return " AND ".join(parts) or None
    return None


@dataclass
class RlsRule:
    name: str
    filter_type: str  # Regular | Base
    clause: str
    tables: list[int]
    roles: list[int]
    group_key: str = ""
    description: str = ""

    def payload(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "filter_type": self.filter_type,
            "clause": self.clause,
            "tables": sorted(self.tables),
            "roles": sorted(self.roles),
            "group_key": self.group_key,
        }


def desired_rules(
    specs: list[RoleSpec], role_ids: dict[str, int], datasets: list[DatasetInfo], consents: bool = True
) -> list[RlsRule]:
    rules: list[RlsRule] = []
    regular_roles: dict[int, set[int]] = defaultdict(set)  # dataset id -> roles with a Regular filter
    for spec in specs:
        if spec.kind in PRIVILEGED:
            continue
        by_clause: dict[str, list[int]] = defaultdict(list)
        for ds in datasets_for(spec, datasets):
            clause = regular_clause(spec, ds, consents)
            if clause:
                by_clause[clause].append(ds.id)
                regular_roles[ds.id].add(role_ids[spec.name])
            elif ds.table_name in SCOPE_TABLES:
                regular_roles[ds.id].add(role_ids[spec.name])  # read whole: not denied by default
        for i, (clause, tables) in enumerate(sorted(by_clause.items())):
            rules.append(
                RlsRule(
                    name=f"{RLS_PREFIX}{spec.name}:{i}",
                    filter_type="Regular",
                    clause=clause,
                    tables=tables,
                    roles=[role_ids[spec.name]],
                    group_key=spec.kind,
                    description=f"{spec.label}: rows it may see",
                )
            )
    privileged = {role_ids[n] for n in (*PRIVILEGED, "Admin") if n in role_ids}
    groups: dict[frozenset[int], list[int]] = defaultdict(list)
    for ds in datasets:
        groups[frozenset(privileged | regular_roles[ds.id])].append(ds.id)
    for i, (excluded, tables) in enumerate(sorted(groups.items(), key=lambda kv: min(kv[1]))):
        rules.append(
            RlsRule(
                name=f"{RLS_PREFIX}deny-by-default:{i}",
                filter_type="Base",
                clause="1 = 0",
                tables=tables,
                roles=sorted(excluded),
                description="Deny by default: every role not listed (and without its own filter) sees no row",
            )
        )
    return rules


def apply_rls(client: SupersetClient, rules: list[RlsRule]) -> tuple[int, int, int]:
    """Create, update and delete innopoints RLS filters so the server matches `rules`."""
    existing = {r["name"]: r for r in client.list_all("/api/v1/rowlevelsecurity/")}
    created = updated = deleted = 0
    wanted = {r.name for r in rules}
    for rule in rules:
        cur = existing.get(rule.name)
        if cur is None:
            client.post("/api/v1/rowlevelsecurity/", rule.payload())
            created += 1
            continue
        same = (
            cur["filter_type"] == rule.filter_type
            and cur["clause"] == rule.clause
            and sorted(t["id"] for t in cur.get("tables", [])) == sorted(rule.tables)
            and sorted(r["id"] for r in cur.get("roles", [])) == sorted(rule.roles)
            and (cur.get("group_key") or "") == rule.group_key
        )
        if not same:
            client.put(f"/api/v1/rowlevelsecurity/{cur['id']}", rule.payload())
            updated += 1
    for name, cur in existing.items():
        if name.startswith(RLS_PREFIX) and name not in wanted:
            client.delete(f"/api/v1/rowlevelsecurity/{cur['id']}")
            deleted += 1
    return created, updated, deleted


def apply_role_permissions(
    client: SupersetClient, specs: list[RoleSpec], role_ids: dict[str, int], datasets: list[DatasetInfo]
) -> None:
    perms = permission_index(client)
    gamma = role_permission_ids(client, role_ids["Gamma"])
    sql_lab = role_permission_ids(client, role_ids["sql_lab"]) if "sql_lab" in role_ids else set()
    for spec in specs:
        ids = set(gamma)
        for ds in datasets_for(spec, datasets):
            pid = perms.get(("datasource_access", ds.perm))
            if pid is None:
                raise SupersetError(f"no datasource_access permission for {ds.perm}: rerun `superset init` via setup")
            ids.add(pid)
        if spec.kind in ("analyst", "city", "province"):
            ids |= sql_lab
        if spec.kind == "analyst":
            # Superset 6 names schema permissions with the catalog (the PostgreSQL database) when known.
            marts = [pid for (perm, view), pid in perms.items() if perm == "schema_access"
                     and view.startswith(f"[{DATABASE_NAME}].") and view.endswith(".[marts]")]
            if not marts:
                raise SupersetError("no schema_access permission on [innopoints].[marts]: is the database imported?")
            ids.update(marts)
        client.post(
            f"/api/v1/security/roles/{role_ids[spec.name]}/permissions", {"permission_view_menu_ids": sorted(ids)}
        )


def apply_dashboard_audiences(client: SupersetClient, specs: list[RoleSpec], role_ids: dict[str, int]) -> list[str]:
    """Give each dashboard its audience; return the slugs of AUDIENCE that are not in Superset."""
    rows = client.list_all("/api/v1/dashboard/", columns=["id", "slug"])
    dashboards = {d["slug"]: d["id"] for d in rows if d.get("slug")}
    missing = []
    for slug, kinds in AUDIENCE.items():
        if slug not in dashboards:
            missing.append(slug)
            continue
        ids = sorted(role_ids[s.name] for s in specs if s.kind in kinds)
        client.put(f"/api/v1/dashboard/{dashboards[slug]}", {"roles": ids})
    return missing


def consent_table_exists() -> bool:
    """Whether the reporter can read the consent mart the bank filters use."""
    from innopoints import db

    with db.connect(db.REPORTER) as conn:
        row = conn.execute("select to_regclass(%s) is not null", (CONSENT_TABLE,)).fetchone()
    return bool(row and row[0])


def apply_security(client: SupersetClient, project_root: Path) -> dict[str, Any]:
    specs = role_specs(project_root)
    role_ids = ensure_roles(client, [s.name for s in specs])
    for needed in ("Admin", "Gamma"):
        if needed not in role_ids:
            raise SupersetError(f"Superset role {needed} is missing: `superset init` did not run")
    datasets = innopoints_datasets(client)
    apply_role_permissions(client, specs, role_ids, datasets)
    missing_dashboards = apply_dashboard_audiences(client, specs, role_ids)
    consents = consent_table_exists()
    if not consents:
        log.warning(f"superset: {CONSENT_TABLE} does not exist: bank roles see no enterprise until it is built")
    created, updated, deleted = apply_rls(client, desired_rules(specs, role_ids, datasets, consents))
    return {
        "roles": len(specs),
        "datasets": len(datasets),
        "rls_created": created,
        "rls_updated": updated,
        "rls_deleted": deleted,
        "missing_dashboards": missing_dashboards,
        "consent_table": consents,
    }
