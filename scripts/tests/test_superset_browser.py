"""In headless Chromium (Debian's), log in, land on one's own dashboard, open every dashboard, wait for
every chart, and read what the user reads: no error, no label cut off ("…" / "..." in an axis label or a
legend, a legend paged), text in Chinese (no English word beyond the allowed abbreviations).

ECharts draws on a canvas, so the page's canvas text calls are recorded (an init script wraps
`fillText`) and checked next to the DOM's text. A screenshot of each dashboard per audience is saved
under artifacts/superset/ as the test's evidence.
"""

from __future__ import annotations

import contextlib
import re
import time
import warnings
from pathlib import Path

import pytest
from innopoints.superset.assets_spec import CHARTS, DASHBOARDS, LANDING
from innopoints.superset.env import read_json
from innopoints.superset.security import AUDIENCE
from innopoints.superset.testing import Site

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ERROR_SELECTORS = ".alert-danger, .ant-alert-error, [data-test='error-message'], .error-alert"
ERROR_TEXTS = ("Unexpected error", "意外错误", "Error", "错误", "无法加载", "Traceback")
# Superset's notice for a chart whose query returned no rows (zh and en)
NO_DATA_TEXTS = ("此查询没有数据返回", "No results were returned")
MAY_BE_EMPTY = {c.key for c in CHARTS if c.may_be_empty}
# every text a canvas draws, kept per page (ECharts' axis labels, legends and data labels)
RECORD_CANVAS_TEXT = """
(() => {
  window.__drawn = [];
  const orig = CanvasRenderingContext2D.prototype.fillText;
  CanvasRenderingContext2D.prototype.fillText = function (text, ...rest) {
    try { window.__drawn.push(String(text)); } catch (e) {}
    return orig.call(this, text, ...rest);
  };
})();
"""
CUT = re.compile(r"(…|\.\.\.)")
LEGEND_PAGE = re.compile(r"^\s*\d+\s*/\s*\d+\s*$")  # ECharts' "1/3" of a paged legend
# English a user may read: abbreviations of the domain, units, and scheme codes such as MOST-2024
ALLOWED_WORDS = {"AUC", "LPR", "PCT", "USCC", "Excel", "CSV", "MOST", "dbt"}
WORD = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z]{3,}(?![A-Za-z0-9_])")

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium missing: run `make browser`")



# Navigations wait for the new URL to be committed, not for the page's load event: whether a dashboard
# shows its charts is judged where it is opened, by _settled, with what the page and the server showed
# when it does not. (The logins that failed on loaded machines were sent back to the login page by a late
# answer to the login page's own events, which wrote an anonymous session: fixed in superset_config.py,
# reproduced by the last test of this file.)
NAVIGATION_MS = 90_000
LOGGED_IN = re.compile(r".*/superset/(welcome|dashboard)/.*")


def _login(page, base_url: str, username: str, password: str) -> None:
    """Log in through the form. The login succeeded when the server sends the browser on to the home
    page or a dashboard. A login not through in 90 s is tried once more, with a warning that says what
    the page and the server showed; a second failure fails the test with the same report."""
    for attempt in (1, 2):
        page.goto(f"{base_url}/login/", wait_until="domcontentloaded", timeout=NAVIGATION_MS)
        page.fill("#username", username, timeout=NAVIGATION_MS)
        page.fill("#password", password)
        page.click("button[type=submit]")
        try:
            page.wait_for_url(LOGGED_IN, wait_until="commit", timeout=NAVIGATION_MS)
            return
        except Exception as exc:
            report = f"the login as {username} did not go on from {page.url} in {NAVIGATION_MS // 1000}s; " \
                     f"{_explain(page)}"
            if attempt == 2:
                raise AssertionError(report) from exc
            warnings.warn(f"{report}; logging in again", stacklevel=1)


# A chart has rendered when its holder is visible and shows a drawing (canvas, svg, table) or text
# beyond its title (a big number, or the "no data" notice). Counting holders alone is not enough:
# the grid can exist before anything is painted.
_RENDERED_JS = """
(sel) => Array.from(document.querySelectorAll(sel)).filter(h =>
    h.offsetHeight > 0 && !h.querySelector('.loading') &&
    (h.querySelector('canvas, svg, table') || h.innerText.trim().split('\\n').filter(Boolean).length > 1)
).length
"""


class NoGrid(AssertionError):
    """A dashboard page that shows no chart grid at all (not a chart that fails to paint)."""


# a line of the server's access log (serve.ACCESS_LOG_FORMAT): ... "METHOD /path" status seconds
ACCESS_LINE = re.compile(r'" (\d{3}) (\d+\.\d+)s$')


def _slow_or_failed(line: str, slow_s: float = 5.0) -> bool:
    m = ACCESS_LINE.search(line)
    return bool(m) and (int(m.group(1)) >= 500 or float(m.group(2)) >= slow_s)


class _Traffic:
    """What the page asked the server and did not get (responses of 400 and above, failed requests,
    requests still unanswered), where it went, and what the server logged meanwhile (errors, and the
    requests its access log shows slow or failed): a login that does not go on, or a dashboard whose grid
    never appears, is explained by these."""

    def __init__(self, page, server_log: Path, shot: Path) -> None:
        self.shot = shot  # the screenshot of a page that did not go on (no grid, or a login), beside the evidence
        self.bad: list[str] = []
        self.pending: dict[object, tuple[float, str]] = {}
        self.visited: list[str] = []  # the main frame's committed URLs, in order
        self.server_log = server_log
        self.log_offset = server_log.stat().st_size if server_log.exists() else 0
        page.on("request", lambda r: self.pending.__setitem__(r, (time.monotonic(), r.url)))
        page.on("requestfinished", lambda r: self.pending.pop(r, None))
        page.on("requestfailed", self._failed)
        page.on("response", self._response)
        page.on("console", lambda m: m.type == "error" and self.bad.append(f"console: {m.text[:200]}"))
        page.on("framenavigated", lambda f: f.parent_frame is None and self.visited.append(f.url[:160]))

    def _failed(self, request) -> None:
        self.pending.pop(request, None)
        self.bad.append(f"failed: {request.url} ({request.failure})")

    def _response(self, response) -> None:
        if response.status >= 400:
            self.bad.append(f"{response.status}: {response.url}")

    def _server_lines(self) -> list[str]:
        try:
            with self.server_log.open("rb") as f:
                f.seek(self.log_offset)
                text = f.read().decode("utf-8", "replace")
        except OSError:
            return []
        keep = re.compile(r"ERROR|CRITICAL|WORKER|Booting|locked|Error:|Exception")
        return [line[:240] for line in text.splitlines() if keep.search(line) or _slow_or_failed(line)][-25:]

    def report(self) -> str:
        now = time.monotonic()
        waiting = [f"{now - t:.0f}s: {u}" for t, u in self.pending.values() if now - t > 5]
        return (f"the browser went to {self.visited[-6:]}; its errors {self.bad[-12:]}; unanswered "
                f"{waiting[:12]}; the server logged {self._server_lines()}")


def _explain(page) -> str:
    """What the page shows (a screenshot, its text) and the traffic's report: why it did not go on."""
    traffic = getattr(page, "_innopoints_traffic", None)
    shot = traffic.shot if traffic else Path("stuck.png")
    with contextlib.suppress(Exception):
        page.screenshot(path=str(shot))
    text = ""
    with contextlib.suppress(Exception):
        text = page.inner_text("body")[:400]
    return f"see {shot}; the page reads {text!r}; {traffic.report() if traffic else ''}"


def _grid_or_explain(page, holder: str, timeout_s: float) -> None:
    """Wait for the dashboard's grid; reload once; then fail with what the page shows, what the server
    did not answer and what it logged, and a screenshot."""
    try:
        page.wait_for_selector(holder, timeout=int(timeout_s * 1000))
        return
    except Exception:
        page.reload(wait_until="commit", timeout=NAVIGATION_MS)
    try:
        page.wait_for_selector(holder, timeout=int(timeout_s * 1000))
    except Exception as exc:
        raise NoGrid(f"no dashboard grid at {page.url} after {2 * timeout_s:.0f}s; {_explain(page)}") from exc


def _wait_for_charts(page, expected: int, timeout_s: float = 90.0) -> tuple[int, float]:
    start = time.monotonic()
    holder = ".dashboard-component-chart-holder"
    _grid_or_explain(page, holder, timeout_s)
    stable = 0
    rendered = 0
    while time.monotonic() - start < timeout_s:
        page.mouse.wheel(0, 600)  # charts below the fold render once scrolled into view
        rendered = page.evaluate(_RENDERED_JS, holder)
        stable = stable + 1 if rendered >= expected else 0
        if stable >= 3:
            page.evaluate("window.scrollTo(0, 0)")
            return page.locator(holder).count(), time.monotonic() - start
        page.wait_for_timeout(400)
    raise AssertionError(f"only {rendered}/{expected} charts rendered after {timeout_s}s")


def _settled(page, expected: int) -> tuple[int, float]:
    """Wait until the charts are painted and stay painted: a filter that opens on its first value (the
    latest year, the first enterprise) may resolve after the charts drew with another, and Superset then
    draws them all again. Up to three rounds of: painted, network quiet, still painted."""
    start = time.monotonic()
    holder = ".dashboard-component-chart-holder"
    for _ in range(3):
        n, _secs = _wait_for_charts(page, expected)
        # a long poll may keep the network busy: then judge by the charts alone
        with contextlib.suppress(Exception):
            page.wait_for_load_state("networkidle", timeout=30_000)
        page.wait_for_timeout(800)
        if page.evaluate(_RENDERED_JS, holder) >= expected:
            break
    return n, time.monotonic() - start


def _kind(user: str) -> str:
    return "province" if user == "admin" else user.split("_", 1)[0]


def _reading_problems(page, dash_slug: str, user: str, n: int) -> list[str]:
    """Cut-off labels, paged legends and English words in what the charts draw and show."""
    drawn = [t for t in page.evaluate("window.__drawn || []") if t.strip()]
    page.evaluate("window.__drawn = []")
    texts = [page.locator(".dashboard-component-chart-holder").nth(i).inner_text() for i in range(n)]
    problems = []
    cut = sorted({t for t in drawn if CUT.search(t)})
    if cut:
        problems.append(f"{dash_slug} ({user}): labels cut off: {cut[:8]}")
    paged = sorted({t for t in drawn if LEGEND_PAGE.match(t)})
    if paged:
        problems.append(f"{dash_slug} ({user}): a legend is paged: {paged[:4]}")
    english = sorted({w for t in [*drawn, *texts] for w in WORD.findall(t) if w not in ALLOWED_WORDS})
    if english:
        problems.append(f"{dash_slug} ({user}): English words shown: {english[:12]}")
    if not any(re.search(r"[\u4e00-\u9fff]", t) for t in drawn) and drawn:
        problems.append(f"{dash_slug} ({user}): no Chinese in the charts' drawings")
    return problems


@pytest.mark.parametrize("user", ["admin", "leadership", "city_210900", "bank_FXB"])
def test_dashboards_render_without_error(superset_site: Site, cycle_records: dict, artifacts: Path,
                                        user: str) -> None:
    # cycle_records: publicity lists, objections and a final list, so 公示与异议 has figures to show
    from playwright.sync_api import sync_playwright

    env = superset_site.env
    creds = read_json(env.admin_file) if user == "admin" else read_json(env.users_file)[user]
    out = artifacts / "superset"
    out.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            ctx = browser.new_context(viewport={"width": 1600, "height": 1400}, locale="zh-CN")
            ctx.add_init_script(RECORD_CANVAS_TEXT)
            page = ctx.new_page()
            page._innopoints_traffic = _Traffic(page, env.log_file, out / f"no-grid-{user}.png")
            _login(page, env.base_url, creds["username"], creds["password"])
            if user != "admin":
                # each audience lands on its own dashboard
                landing = LANDING[_kind(user)]
                page.wait_for_url(f"**/superset/dashboard/{landing}/**", wait_until="commit", timeout=NAVIGATION_MS)
            opened = 0
            for dash in DASHBOARDS:
                if _kind(user) not in AUDIENCE[dash.slug]:
                    continue
                opened += 1
                expected = sum(len(row) for row in dash.rows) + 1  # and the 口径说明 block
                page.goto(f"{env.base_url}/superset/dashboard/{dash.slug}/", wait_until="commit", timeout=NAVIGATION_MS)
                try:
                    n, secs = _settled(page, expected)
                except NoGrid as exc:
                    # The grid did not appear in 3 minutes, reload included: once, say so in the warnings
                    # summary with what the page and the server showed, log in again and open it again;
                    # a second time fails the test.
                    warnings.warn(f"{dash.slug} ({user}), opened again after a new login: {exc}", stacklevel=1)
                    _login(page, env.base_url, creds["username"], creds["password"])
                    page.goto(f"{env.base_url}/superset/dashboard/{dash.slug}/", wait_until="commit",
                              timeout=NAVIGATION_MS)
                    n, secs = _settled(page, expected)
                # a full-page screenshot resizes the window, and Superset redraws every chart on a resize:
                # make the window as tall as the page first, let the charts settle, then take the window
                height = page.evaluate("document.documentElement.scrollHeight")
                page.set_viewport_size({"width": 1600, "height": max(1400, int(height))})
                n, secs = _settled(page, expected)
                shot = out / f"{dash.slug}-{user}.png"
                page.screenshot(path=str(shot))
                still = page.evaluate(_RENDERED_JS, ".dashboard-component-chart-holder")
                if still < expected:  # the picture must show the charts, not a dashboard redrawing itself
                    problems.append(f"{dash.slug} ({user}): {still}/{expected} charts painted in {shot}")
                assert dash.title in page.inner_text(".header-title, [data-test='editable-title']") or \
                    dash.title in page.title() or dash.title in page.content(), dash.slug
                errors = page.locator(ERROR_SELECTORS)
                texts = [errors.nth(i).inner_text() for i in range(errors.count())]
                body = " ".join(
                    page.locator(".dashboard-component-chart-holder").nth(i).inner_text() for i in range(n)
                )
                hits = [t for t in ERROR_TEXTS if t in body]
                if texts or hits:
                    problems.append(f"{dash.slug} ({user}): {texts or hits}; see {shot}")
                # as it opens (default filters), every chart shows figures, except those that may be empty;
                # a city's or bank's slice of the small test warehouse may have no loans, but the profile
                # always opens on an enterprise the user may see
                empty = sum(body.count(t) for t in NO_DATA_TEXTS)
                if user != "admin" and dash.slug != "enterprise-profile":
                    empty = 0
                allowed = sum(1 for row in dash.rows for key, _ in row if key in MAY_BE_EMPTY)
                if empty > allowed:
                    problems.append(f"{dash.slug} ({user}): {empty} chart(s) without data, {allowed} may be; "
                                    f"see {shot}")
                problems += [f"{p}; see {shot}" for p in _reading_problems(page, dash.slug, user, n)]
                print(f"{dash.slug} as {user}: {n} charts in {secs:.1f}s -> {shot}")
        finally:
            browser.close()
    assert opened >= 2, f"{user} may open {opened} dashboard(s) only"
    assert not problems, problems


class _LateAnswers:
    """A pass-through HTTP proxy in front of Superset that holds its answers to the login page's events
    (POST /superset/log/, sent before anyone has logged in) until the browser has the login's answer:
    the order a slow server produces. One connection per request."""

    def __init__(self, upstream: str) -> None:
        import http.client
        import threading
        import urllib.parse
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        up = urllib.parse.urlsplit(upstream)
        self.held = 0
        self.delivered_late = 0
        self.logged_in = threading.Event()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, *args) -> None:
                pass

            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                conn = http.client.HTTPConnection(up.hostname, up.port, timeout=NAVIGATION_MS / 1000)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "keep-alive")}
                conn.request(self.command, self.path, body=body, headers=headers)
                answer = conn.getresponse()
                data = answer.read()
                conn.close()
                late = self.path.startswith("/superset/log/") and not proxy.logged_in.is_set()
                if late:
                    proxy.held += 1
                    proxy.logged_in.wait(NAVIGATION_MS / 1000)
                    time.sleep(0.5)
                self.send_response_only(answer.status, answer.reason)
                for name, value in answer.getheaders():
                    if name.lower() not in ("connection", "keep-alive", "transfer-encoding", "content-length"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                try:
                    self.wfile.write(data)
                except OSError:  # the browser gave the request up: it got no late answer
                    return
                if late and proxy.logged_in.is_set():
                    proxy.delivered_late += 1
                if self.command == "POST" and self.path.startswith("/login/") and answer.status == 302:
                    proxy.logged_in.set()

            do_GET = do_POST = do_PUT = do_DELETE = _forward

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.logged_in.set()
        self.server.shutdown()
        self.server.server_close()


def _wait(condition, what: str, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen in {timeout_s:.0f}s")
        time.sleep(0.2)


def test_login_page_reads_chinese_and_a_late_answer_to_it_keeps_the_login(superset_site: Site,
                                                                          artifacts: Path) -> None:
    """The login page reads Chinese. Its events, sent before the login, answered after the login's
    answer (a slow server), do not log the user out: the landing dashboard opens and stays."""
    from playwright.sync_api import sync_playwright

    env = superset_site.env
    user = "city_210900"
    creds = read_json(env.users_file)[user]
    out = artifacts / "superset"
    out.mkdir(parents=True, exist_ok=True)
    proxy = _LateAnswers(env.base_url)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            try:
                page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
                page._innopoints_traffic = _Traffic(page, env.log_file, out / "late-answer-login.png")
                page.goto(f"{proxy.url}/login/", wait_until="domcontentloaded", timeout=NAVIGATION_MS)
                page.wait_for_selector("#username", timeout=NAVIGATION_MS)
                page.screenshot(path=str(out / "login-page.png"))
                text = page.inner_text("body")
                assert "登录" in text and "用户名" in text and "密码" in text, text
                english = sorted({w for w in WORD.findall(text) if w not in ALLOWED_WORDS})
                assert not english, f"the login page shows English: {english}"
                # the page's events are on their way, with the session of nobody logged in
                _wait(lambda: proxy.held >= 1, "the login page's events request")
                page.fill("#username", creds["username"])
                page.fill("#password", creds["password"])
                page.click("button[type=submit]")
                page.wait_for_url(LOGGED_IN, wait_until="commit", timeout=NAVIGATION_MS)
                # the answer to the events reaches the browser after the login's
                _wait(lambda: proxy.delivered_late >= 1, "the late answer's delivery")
                landing = LANDING[_kind(user)]
                page.wait_for_url(f"**/superset/dashboard/{landing}/**", wait_until="commit", timeout=NAVIGATION_MS)
                _grid_or_explain(page, ".dashboard-component-chart-holder", 90.0)
                page.wait_for_timeout(3000)
                status = page.evaluate("fetch('/api/v1/me/').then(r => r.status)")
                assert status == 200 and "/login" not in page.url, \
                    f"logged out by the late answer: at {page.url}, /api/v1/me/ answered {status}; {_explain(page)}"
            finally:
                browser.close()
    finally:
        proxy.close()
