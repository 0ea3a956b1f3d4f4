"""A small client for Superset's REST API (JWT login + CSRF token), used by setup, tests and bench."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import requests

from innopoints.superset.env import SupersetError


def rison_list(value: dict[str, Any]) -> str:
    """Encode the small subset of rison the list endpoints need: (key:value,...) with ints/strings."""

    def enc(v: Any) -> str:
        if isinstance(v, bool):
            return "!t" if v else "!f"
        if isinstance(v, int):
            return str(v)
        if isinstance(v, str):
            return "'" + v.replace("!", "!!").replace("'", "!'") + "'"
        if isinstance(v, list):
            return "!(" + ",".join(enc(x) for x in v) + ")"
        if isinstance(v, dict):
            return "(" + ",".join(f"{k}:{enc(x)}" for k, x in v.items()) + ")"
        raise TypeError(f"cannot rison-encode {type(v).__name__}")

    return enc(value)


class SupersetClient:
    """Authenticated session against a running Superset."""

    def __init__(self, base_url: str, username: str, password: str, timeout: float = 120.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.username = username
        self.timeout = timeout
        self.session = requests.Session()
        self._login(username, password)

    def _login(self, username: str, password: str) -> None:
        try:
            r = self.session.post(
                f"{self.base_url}/api/v1/security/login",
                json={"username": username, "password": password, "provider": "db", "refresh": True},
                timeout=self.timeout,
            )
        except requests.ConnectionError as exc:
            raise SupersetError(
                f"Superset is not reachable at {self.base_url}: start it with `innopoints serve`"
            ) from exc
        if r.status_code != 200:
            raise SupersetError(
                f"login as {username!r} failed ({r.status_code}): {r.text[:200]}; "
                "check .state/superset/admin.json or rerun `innopoints superset setup`"
            )
        token = r.json()["access_token"]
        self.session.headers["Authorization"] = f"Bearer {token}"
        csrf = self.session.get(f"{self.base_url}/api/v1/security/csrf_token/", timeout=self.timeout)
        if csrf.status_code == 200:
            self.session.headers["X-CSRFToken"] = csrf.json()["result"]
        self.session.headers["Referer"] = self.base_url

    # -- raw verbs ---------------------------------------------------------------------------
    def request(self, method: str, path: str, expect: tuple[int, ...] = (200,), **kw: Any) -> requests.Response:
        kw.setdefault("timeout", self.timeout)
        r = self.session.request(method, f"{self.base_url}{path}", **kw)
        if r.status_code not in expect:
            raise SupersetError(f"{method} {path} -> {r.status_code}: {r.text[:800]}")
        return r

    def get(self, path: str, **kw: Any) -> Any:
        return self.request("GET", path, **kw).json()

    def post(self, path: str, payload: Any, expect: tuple[int, ...] = (200, 201), **kw: Any) -> Any:
        return self.request("POST", path, expect=expect, json=payload, **kw).json()

    def put(self, path: str, payload: Any, expect: tuple[int, ...] = (200,), **kw: Any) -> Any:
        return self.request("PUT", path, expect=expect, json=payload, **kw).json()

    def delete(self, path: str, expect: tuple[int, ...] = (200,)) -> None:
        self.request("DELETE", path, expect=expect)

    # -- helpers -----------------------------------------------------------------------------
    def list_all(
        self, resource: str, columns: list[str] | None = None, page_size: int = 100
    ) -> Iterator[dict[str, Any]]:
        """Every row of a list endpoint, e.g. resource='/api/v1/dataset/'."""
        page = 0
        while True:
            q: dict[str, Any] = {"page": page, "page_size": page_size}
            if columns:
                q["columns"] = columns
            data = self.get(resource, params={"q": rison_list(q)})
            rows = data.get("result", [])
            yield from rows
            if len(rows) < page_size:
                return
            page += 1

    def chart_data(self, chart_id: int, force: bool = False,
                   filters: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        """Run a saved chart's query the way the dashboard does, returning the JSON payload; `filters`
        ({"col", "op", "val"}) are added to every query, as a dashboard's native filters are."""
        chart = self.get(f"/api/v1/chart/{chart_id}")["result"]
        query_context = chart.get("query_context")
        if not query_context:
            raise SupersetError(f"chart {chart_id} ({chart.get('slice_name')}) has no query_context")
        body = json.loads(query_context)
        body["force"] = force
        for q in body.get("queries", []):
            q["filters"] = [*q.get("filters", []), *(filters or [])]
        body["result_format"] = "json"
        body["result_type"] = "full"
        r = self.request("POST", "/api/v1/chart/data", expect=(200, 400, 403, 404, 422, 500), json=body)
        payload = r.json()
        payload["_status"] = r.status_code
        return payload
