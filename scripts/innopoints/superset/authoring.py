"""Write the asset bundle's YAML from the declarative spec in `assets_spec` (`innopoints superset author`).

The YAML under superset/assets/ is what Superset imports and what `superset export` writes back; this
module is the way to author it in code: stable UUIDs (uuid5 of a key), saved metrics with Chinese
names, charts with both form data (what the browser uses) and a query context (what the API, the
tests and the benchmark replay), dashboards with a grid layout and native filters.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from innopoints.superset import assets_spec as spec
from innopoints.superset.bundle import KINDS, dump_yaml
from innopoints.superset.env import DATABASE_UUID

NS = uuid.UUID("0b6a3c1e-6a55-4c43-9a6f-2f1f5e3c7d10")


def stable_uuid(kind: str, key: str) -> str:
    return str(uuid.uuid5(NS, f"{kind}:{key}"))


def authored_chart_ids() -> dict[str, int]:
    """The id each chart key is written with (dashboards' positions and filter scopes refer to it)."""
    return {c.key: i for i, c in enumerate(spec.CHARTS, start=1)}


# -- datasets ---------------------------------------------------------------------------------

def dataset_yaml(ds: spec.Dataset) -> dict[str, Any]:
    columns = []
    for name, (typ, label) in ds.columns.items():
        columns.append(
            {
                "column_name": name,
                "verbose_name": label or None,
                "is_dttm": typ in ("DATE", "TIMESTAMP"),
                "is_active": True,
                "type": typ,
                "advanced_data_type": None,
                "groupby": True,
                "filterable": True,
                "expression": ds.expressions.get(name),
                "description": None,
                "python_date_format": None,
                "extra": {},
            }
        )
    metrics = [
        {
            "metric_name": m.name,
            "verbose_name": m.label,
            "metric_type": None,
            "expression": m.sql,
            "description": m.description,
            "d3format": m.d3format,
            "currency": None,
            "extra": {"warning_markdown": ""},
            "warning_text": None,
        }
        for m in ds.metrics
    ]
    return {
        "table_name": ds.table,
        "main_dttm_col": ds.main_dttm,
        "description": ds.description,
        "default_endpoint": None,
        "offset": 0,
        "cache_timeout": None,
        "catalog": None,
        "schema": "marts",
        "sql": None,
        "params": None,
        "template_params": None,
        "filter_select_enabled": True,
        "fetch_values_predicate": None,
        "extra": None,
        "normalize_columns": False,
        "always_filter_main_dttm": False,
        "uuid": stable_uuid("dataset", ds.table),
        "metrics": metrics,
        "columns": columns,
        "version": "1.0.0",
        "database_uuid": DATABASE_UUID,
    }


# -- charts -----------------------------------------------------------------------------------

def _axis(col: str, grain: str | None) -> dict[str, Any] | str:
    if grain:
        return {"timeGrain": grain, "columnType": "BASE_AXIS", "sqlExpression": col, "label": col,
                "expressionType": "SQL"}
    return col


def chart_params_and_queries(c: spec.Chart) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    base: dict[str, Any] = {
        "viz_type": c.viz,
        "adhoc_filters": [],
        "extra_form_data": {},
        "dashboards": [],
        "time_range": "No filter",
        "row_limit": c.row_limit,
        "color_scheme": "supersetColors",
    }
    q: dict[str, Any] = {
        "filters": [],
        "extras": {"having": "", "where": ""},
        "applied_time_extras": {},
        "columns": [],
        "metrics": [],
        "orderby": [],
        "annotation_layers": [],
        "row_limit": c.row_limit,
        "series_limit": 0,
        "order_desc": True,
        "url_params": {},
        "custom_params": {},
        "custom_form_data": {},
    }
    queries: list[dict[str, Any]] = []  # more than one for a chart of two queries (mixed_timeseries)
    if c.viz == "big_number_total":
        base.update({"metric": c.metrics[0], "subheader": c.subheader, "y_axis_format": c.number_format,
                     "header_font_size": 0.4, "subheader_font_size": 0.15})
        q["metrics"] = [c.metrics[0]]
        q.pop("row_limit")
    elif c.viz == "pie":
        # the share inside each slice, the names in a legend beside it (outside labels get cut in a small chart)
        base.update({"groupby": c.groupby, "metric": c.metrics[0], "sort_by_metric": True, "show_labels": True,
                     "label_type": "percent", "show_legend": True, "legendType": "plain", "legendSort": "asc",
                     "legendOrientation": "right", "legendMargin": 160, "donut": True,
                     "number_format": c.number_format, "labels_outside": False, "label_line": False,
                     "show_labels_threshold": 3, "outerRadius": 75, "innerRadius": 35})
        q.update({"columns": c.groupby, "metrics": [c.metrics[0]], "orderby": [[c.metrics[0], False]]})
    elif c.viz == "funnel":
        base.update({"groupby": c.groupby, "metric": c.metrics[0], "sort_by_metric": True, "show_labels": True,
                     "label_type": "key_value_percent", "show_legend": False, "number_format": c.number_format,
                     "show_tooltip_labels": True, "tooltip_label_type": "key_value_percent",
                     "percent_calculation_type": "first_step"})
        q.update({"columns": c.groupby, "metrics": [c.metrics[0]], "orderby": [[c.metrics[0], False]]})
    elif c.viz == "pivot_table_v2":
        base.update({"groupbyRows": c.groupby, "groupbyColumns": c.pivot_columns, "metrics": c.metrics,
                     "metricsLayout": "COLUMNS", "aggregateFunction": "Sum", "rowTotals": False,
                     "colTotals": False, "valueFormat": c.number_format, "rowOrder": "key_a_to_z",
                     "colOrder": "key_a_to_z", "transposePivot": False, "combineMetric": False})
        q.update({"columns": [*c.groupby, *c.pivot_columns], "metrics": c.metrics,
                  "orderby": [[c.metrics[0], False]]})
    elif c.viz == "table":
        if c.metrics:
            base.update({"query_mode": "aggregate", "groupby": c.groupby, "metrics": c.metrics, "all_columns": [],
                         "percent_metrics": [], "order_by_cols": [], "order_desc": not c.order_asc,
                         "timeseries_limit_metric": c.order_by or c.metrics[0], "server_pagination": False,
                         "include_search": c.search, "table_timestamp_format": "smart_date",
                         "show_cell_bars": False, "allow_rearrange_columns": False, "table_filter": False})
            order = c.order_by or c.metrics[0]
            q.update({"columns": c.groupby, "metrics": c.metrics, "orderby": [[order, c.order_asc]]})
        else:
            # order_by may name several columns, "stage_name_zh,rank_in_stage": sorted by each in turn
            order_cols = (c.order_by or c.groupby[0]).split(",")
            base.update({"query_mode": "raw", "all_columns": c.groupby, "groupby": [], "metrics": [],
                         "order_by_cols": [json.dumps([col, c.order_asc]) for col in order_cols],
                         "server_pagination": False, "include_search": c.search, "show_cell_bars": False,
                         "table_timestamp_format": "%Y-%m-%d %H:%M"})
            q.update({"columns": c.groupby, "orderby": [[col, c.order_asc] for col in order_cols]})
    elif c.viz in ("echarts_timeseries_bar", "echarts_timeseries_line", "mixed_timeseries"):
        assert c.x_axis, c.key
        base.update({"x_axis": c.x_axis, "metrics": c.metrics, "groupby": c.groupby,
                     "x_axis_sort_asc": True, "x_axis_sort_series": "name", "x_axis_sort_series_ascending": True,
                     # a legend only where it tells series apart; a single series is named by the title
                     "show_legend": bool(c.groupby) or len(c.metrics) + len(c.metrics_b) > 1,
                     "legendType": "plain", "legendOrientation": "top", "rich_tooltip": True,
                     # series in their names' order (grades A … V), not by size
                     "sort_series_type": "name", "sort_series_ascending": True,
                     "y_axis_format": c.number_format, "truncate_metric": True,
                     "orientation": "horizontal" if c.horizontal else "vertical",
                     "stack": "Stack" if c.stacked else None, "only_total": True, "zoomable": False,
                     "markerEnabled": c.viz != "echarts_timeseries_bar", "xAxisLabelRotation": c.x_label_rotation,
                     # every category labelled: no second label dropped to save room
                     "xAxisLabelInterval": 0, "truncateXAxis": False, "y_axis_title_margin": 15})
        if c.time_grain:
            base["time_grain_sqla"] = c.time_grain
            base["x_axis_time_format"] = "%Y-%m" if c.time_grain == "P1M" else "%Y-%m-%d %H:%M"
        if c.sort_by_metric:
            base.update({"x_axis_sort": c.metrics[0], "x_axis_sort_asc": c.horizontal})
        if c.viz == "echarts_timeseries_bar" or not c.time_grain:
            # numbers on the x axis (years, histogram bins) are categories: one labelled bar each
            base["xAxisForceCategorical"] = True
        if c.x_title:
            base.update({"x_axis_title": c.x_title, "x_axis_title_margin": 30})
        if c.viz == "mixed_timeseries":
            base.update({"metrics_b": c.metrics_b, "groupby_b": [], "adhoc_filters_b": [],
                         "seriesType": c.series_type, "seriesTypeB": c.series_type_b, "yAxisIndex": 0,
                         "yAxisIndexB": 1, "y_axis_format_secondary": c.number_format_b, "show_legend": True,
                         "markerEnabled": True, "markerEnabledB": True, "stack": None, "stackB": None,
                         "show_value": False, "show_valueB": False, "truncateYAxis": False})

        def series_query(metrics: list[str], groupby: list[str]) -> dict[str, Any]:
            sq = json.loads(json.dumps(q))
            sq.update({
                "columns": [_axis(c.x_axis, c.time_grain), *groupby],
                "metrics": metrics,
                "orderby": [[metrics[0], False]],
                "series_columns": groupby,
                "post_processing": [
                    {"operation": "pivot", "options": {"index": [c.x_axis], "columns": groupby,
                                                        "aggregates": {m: {"operator": "mean"} for m in metrics},
                                                        "drop_missing_columns": False}},
                    {"operation": "flatten"},
                ],
            })
            if c.time_grain:
                sq["extras"]["time_grain_sqla"] = c.time_grain
            return sq

        queries = [series_query(c.metrics, c.groupby)]
        if c.viz == "mixed_timeseries":
            queries.append(series_query(c.metrics_b, []))
        q = queries[0]
    else:
        raise ValueError(f"{c.key}: unsupported viz {c.viz}")
    queries = queries or [q]
    if c.where:
        base["adhoc_filters"] = [{"expressionType": "SQL", "sqlExpression": c.where, "clause": "WHERE",
                                  "subject": None, "operator": None, "comparator": None, "isExtra": False,
                                  "isNew": False, "filterOptionName": f"static_{c.key}"}]
        if c.viz == "mixed_timeseries":
            base["adhoc_filters_b"] = base["adhoc_filters"]
        for each in queries:
            each["extras"]["where"] = f"({c.where})"
    return base, queries


def chart_yaml(c: spec.Chart, ds: spec.Dataset) -> dict[str, Any]:
    params, queries = chart_params_and_queries(c)
    ds_uuid = stable_uuid("dataset", ds.table)
    params["datasource"] = "0__table"
    query_context = {
        "datasource": {"id": 0, "type": "table"},
        "force": False,
        "queries": queries,
        "form_data": params,
        "result_format": "json",
        "result_type": "full",
    }
    return {
        "slice_name": c.title,
        "description": c.description,
        "certified_by": None,
        "certification_details": None,
        "viz_type": c.viz,
        "params": params,
        "query_context": json.dumps(query_context, ensure_ascii=False),
        "cache_timeout": None,
        "uuid": stable_uuid("chart", c.key),
        "version": "1.0.0",
        "dataset_uuid": ds_uuid,
    }


# -- dashboards -------------------------------------------------------------------------------

def filter_scope(f: spec.NativeFilter, d: spec.Dashboard) -> list[str]:
    """The charts (keys) of dashboard `d` that native filter `f` applies to; empty: not on `d`."""
    if f.dashboards and d.slug not in f.dashboards:
        return []
    charts = {c.key: c for c in spec.CHARTS}
    datasets = {ds.table: ds for ds in spec.DATASETS}
    return [k for row in d.rows for k, _ in row
            if f.column in datasets[charts[k].dataset].columns and f.column not in charts[k].ignore_filters]


def definitions_markdown(d: spec.Dashboard, charts: dict[str, spec.Chart]) -> str:
    """The dashboard's 口径说明: each chart's title and its one-line definition, in the layout's order."""
    lines = [f"- **{charts[k].title}**：{charts[k].description}" for row in d.rows for k, _ in row
             if charts[k].description]
    return "#### 口径说明\n\n" + "\n".join(lines) + "\n"


def dashboard_yaml(d: spec.Dashboard, charts: dict[str, spec.Chart], chart_ids: dict[str, int],
                   datasets: dict[str, spec.Dataset]) -> dict[str, Any]:
    position: dict[str, Any] = {
        "DASHBOARD_VERSION_KEY": "v2",
        "ROOT_ID": {"type": "ROOT", "id": "ROOT_ID", "children": ["GRID_ID"]},
        "GRID_ID": {"type": "GRID", "id": "GRID_ID", "children": [], "parents": ["ROOT_ID"]},
        "HEADER_ID": {"id": "HEADER_ID", "type": "HEADER", "meta": {"text": d.title}},
    }
    for r, row in enumerate(d.rows, start=1):
        row_id = f"ROW-{d.slug}-{r}"
        position["GRID_ID"]["children"].append(row_id)
        position[row_id] = {"type": "ROW", "id": row_id, "children": [], "parents": ["ROOT_ID", "GRID_ID"],
                            "meta": {"background": "BACKGROUND_TRANSPARENT"}}
        for key, width in row:
            c = charts[key]
            cid = f"CHART-{key}"
            position[row_id]["children"].append(cid)
            position[cid] = {"type": "CHART", "id": cid, "children": [], "parents": ["ROOT_ID", "GRID_ID", row_id],
                             "meta": {"width": width, "height": c.height, "chartId": chart_ids[key],
                                      "uuid": stable_uuid("chart", key), "sliceName": c.title}}
    keys = [k for row in d.rows for k, _ in row]
    # 口径说明: the one-line definition of every chart, as the last row (Superset 6.1 does not show a
    # chart's description on a dashboard it opens)
    notes = definitions_markdown(d, charts)
    row_id, md_id = f"ROW-{d.slug}-definitions", f"MARKDOWN-{d.slug}-definitions"
    position["GRID_ID"]["children"].append(row_id)
    position[row_id] = {"type": "ROW", "id": row_id, "children": [md_id], "parents": ["ROOT_ID", "GRID_ID"],
                        "meta": {"background": "BACKGROUND_TRANSPARENT"}}
    position[md_id] = {"type": "MARKDOWN", "id": md_id, "children": [], "parents": ["ROOT_ID", "GRID_ID", row_id],
                       "meta": {"width": 12, "height": 12 + round(3.6 * notes.count("\n- ")), "code": notes}}
    filters = []
    for f in spec.NATIVE_FILTERS:
        has_col = filter_scope(f, d)
        target_ds = next((charts[k].dataset for k in has_col), None)
        if target_ds is None:
            continue
        # values come from the filter's own dataset (e.g. the evaluated years), applied by column name
        target_ds = f.source_dataset if f.source_dataset in datasets else target_ds
        excluded = [chart_ids[k] for k in keys if k not in has_col]
        default: dict[str, Any] = {"extraFormData": {}, "filterState": {}, "ownState": {}}
        if f.default is not None:
            default = {"extraFormData": {"filters": [{"col": f.column, "op": "IN", "val": [f.default]}]},
                       "filterState": {"value": [f.default]}, "ownState": {}}
        filters.append({
            "id": f"NATIVE_FILTER-{f.column}-{d.slug}",
            "controlValues": {"enableEmptyFilter": f.required, "defaultToFirstItem": f.first_item,
                              "multiSelect": f.multi, "searchAllOptions": f.search_all, "inverseSelection": False,
                              "creatable": False, "sortAscending": not f.first_item},
            "name": f.label,
            "filterType": "filter_select",
            "targets": [{"column": {"name": f.column}, "datasetUuid": stable_uuid("dataset", target_ds)}],
            "defaultDataMask": default,
            "cascadeParentIds": [f"NATIVE_FILTER-{f.parent}-{d.slug}"] if f.parent else [],
            "scope": {"rootPath": ["ROOT_ID"], "excluded": excluded},
            "type": "NATIVE_FILTER",
            "description": "",
            "chartsInScope": [chart_ids[k] for k in has_col],
            "tabsInScope": [],
            "sortMetric": None,
            "adhoc_filters": ([{"expressionType": "SQL", "sqlExpression": f.prefilter, "clause": "WHERE"}]
                              if f.prefilter else []),
            "time_range": "No filter",
            "requiredFirst": f.first_item,
        })
    metadata = {
        "native_filter_configuration": filters,
        "chart_configuration": {},
        "global_chart_configuration": {"scope": {"rootPath": ["ROOT_ID"], "excluded": []}, "chartsInScope": []},
        "color_scheme": "supersetColors",
        "refresh_frequency": 0,
        # every chart shows its one-line definition under its title
        "expanded_slices": {str(chart_ids[k]): True for k in keys if charts[k].description},
        "label_colors": {},
        "shared_label_colors": [],
        "color_scheme_domain": [],
        "cross_filters_enabled": False,
        "timed_refresh_immune_slices": [],
        "default_filters": "{}",
    }
    return {
        "dashboard_title": d.title,
        "description": d.description,
        "css": "",
        "slug": d.slug,
        "certified_by": None,
        "certification_details": None,
        "published": True,
        "uuid": stable_uuid("dashboard", d.slug),
        "position": position,
        "metadata": metadata,
        "version": "1.0.0",
    }


def write_assets(assets_dir: Path) -> list[Path]:
    datasets = {ds.table: ds for ds in spec.DATASETS}
    charts = {c.key: c for c in spec.CHARTS}
    for c in spec.CHARTS:
        ds = datasets.get(c.dataset)
        if ds is None:
            raise ValueError(f"chart {c.key} reads {c.dataset}, which is not a declared dataset")
        for col in [*c.groupby, *c.pivot_columns, *([c.x_axis] if c.x_axis else [])]:
            if col not in ds.columns:
                raise ValueError(f"chart {c.key}: column {col} is not in dataset {ds.table}")
        for m in [*c.metrics, *c.metrics_b]:
            if m not in {x.name for x in ds.metrics}:
                raise ValueError(f"chart {c.key}: metric {m} is not defined on {ds.table}")
    chart_ids = authored_chart_ids()
    for kind in KINDS[1:]:
        for old in (assets_dir / kind).rglob("*.yaml") if (assets_dir / kind).exists() else []:
            old.unlink()
    written: list[Path] = []

    def emit(rel: str, data: dict[str, Any]) -> None:
        path = assets_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dump_yaml(data), encoding="utf-8")
        written.append(path)

    used = {c.dataset for c in spec.CHARTS} | {f.source_dataset for f in spec.NATIVE_FILTERS}
    for ds in spec.DATASETS:
        if ds.table in used:
            emit(f"datasets/innopoints/{ds.table}.yaml", dataset_yaml(ds))
    for c in spec.CHARTS:
        emit(f"charts/{c.key}.yaml", chart_yaml(c, datasets[c.dataset]))
    for d in spec.DASHBOARDS:
        emit(f"dashboards/{d.slug}.yaml", dashboard_yaml(d, charts, chart_ids, datasets))
    return written


def write_exposures(project_root: Path, base_url: str = "http://127.0.0.1:8088") -> Path:
    """models/exposures.yml: one dbt exposure per dashboard, depending on the marts its charts read.

    Only models that exist under models/ are referenced, so dbt parsing never breaks on a mart that
    another change has not added yet.
    """
    import yaml

    existing = {p.stem for p in (project_root / "models").rglob("*.sql")}
    charts = {c.key: c for c in spec.CHARTS}
    exposures = []
    for d in spec.DASHBOARDS:
        tables = sorted({charts[k].dataset for row in d.rows for k, _ in row}
                        | {f.source_dataset for f in spec.NATIVE_FILTERS if filter_scope(f, d)})
        refs = [f"ref('{t}')" for t in tables if t in existing]
        if not refs:
            continue
        exposures.append({
            "name": d.slug.replace("-", "_"),
            "label": d.title,
            "type": "dashboard",
            "maturity": "medium",
            "url": f"{base_url}/superset/dashboard/{d.slug}/",
            "description": f"{d.title} — {d.description or ''} "
                           f"(Apache Superset, superset/assets/dashboards/{d.slug}.yaml)",
            "depends_on": refs,
            "owner": {"name": "innopoints BI", "email": "bi@innopoints.local"},
        })
    path = project_root / "models" / "exposures.yml"
    header = "# Generated by `innopoints superset author` from innopoints.superset.assets_spec: edit there.\n"
    path.write_text(header + yaml.safe_dump({"version": 2, "exposures": exposures}, allow_unicode=True,
                                            sort_keys=False, width=120), encoding="utf-8")
    return path
