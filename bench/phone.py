"""The officer's phone: Debian's Chromium through Playwright at 360×640, the CPU slowed ×4
(CDP Emulation.setCPUThrottlingRate) and the network of a phone in the province (CDP
Network.emulateNetworkConditions: "slow 4G" 150 ms / 1.6 Mbps down / 750 kbps up, "3G"
300 ms / 400 kbps both ways), against gunicorn serving wsgi:app as `make run` does, on an
SQLite file with the 2024 units and the test accounts (tests/conftest.py).

Each run is a fresh browser context (no cache, no service worker, no IndexedDB):
  (a) cold first visit: open the address, sign in as an officer, tap "new activity" until
      the form's first field accepts input (visible and editable);
  (b) warm reopen online, the worker installed: open the address again until home is
      drawn, then tap until the form's first field accepts input;
  (c) offline reopen (the context offline, as is the worker): open the address until home
      is drawn;
  (d) typing: 20 characters into the activity's title, 120 ms apart; the renderer's
      main-thread time is CDP Performance.getMetrics "TaskDuration" over the typing and
      the 1.5 s after it (so that draft writes on idle are counted), minus the same span
      of the page at rest just before, divided by the keys; then the same typing into a
      static page with one plain <input> and no script (served over http in a context of
      its own), the floor on this machine, printed beside it.
Times are wall-clock from the bench's side until a check run in the page on every
animation frame sees the element (shown()), so they include a frame and a few ms of
automation. Requests and bytes are what reached the server until the
form was usable (gunicorn's access log, uncompressed response bodies, headers not
counted; gunicorn runs with --no-sendfile so that the log counts the static files), the
worker's own fetches (precache) included; a request served from the worker's cache does
not reach the server. The network emulation is set on the page's CDP target (it governs
the page's requests, those the worker answers with fetch() included) and on the worker's
own target as soon as it appears (it governs the worker's own fetches: its precache; the
first of them may start before the setting arrives).

Runs: BENCH_PHONE_RUNS (default 5, medians reported); BENCH_PHONE_PROFILES ("slow 4G,3G");
BENCH_PHONE_QUICK=1 for one run on 3G only. `python -m bench.phone` runs this part alone,
prints its rows and puts them into BENCHMARKS.md in place of the previous phone rows.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]
CPU = 4
# name -> (round-trip ms, download bits/s, upload bits/s)
PROFILES = {"slow 4G": (150, 1_600_000, 750_000), "3G": (300, 400_000, 400_000)}
OFFICER = "canbo.anthanh2"
FIRST_FIELD = ".field[data-path] input:not([type=hidden]), .field[data-path] select, " \
              ".field[data-path] textarea"
TEXT_FIELD = '[data-path="title_content"] input'
KEYS = 20
GOALS = {"cold": 4.0, "warm": 1.0, "offline": 0.4, "key": 20.0}


def say(message: str) -> None:
    from bench.reports import say as report

    report(message)


def conditions(profile: str | None, offline: bool = False) -> dict:
    if profile is None or offline:
        return {"offline": offline, "latency": 0, "downloadThroughput": -1,
                "uploadThroughput": -1}
    rtt, down, up = PROFILES[profile]
    return {"offline": False, "latency": rtt, "downloadThroughput": down / 8,
            "uploadThroughput": up / 8}


class AccessLog:
    """gunicorn's access log: one line per request, "<status> <body bytes> <path>"."""

    def __init__(self, path: Path):
        self.path = path

    def mark(self) -> int:
        return len(self.lines())

    def lines(self) -> list[str]:
        try:
            return self.path.read_text().splitlines()
        except FileNotFoundError:
            return []

    def since(self, mark: int) -> tuple[int, int, list[str]]:
        lines = self.lines()[mark:]
        size = 0
        for line in lines:
            part = line.split(" ", 2)
            size += int(part[1]) if len(part) > 1 and part[1].isdigit() else 0
        return len(lines), size, lines


class Throttle:
    """CPU and network emulation on the page's CDP target and on every service worker's
    target (through a browser session: Target.attachToTarget, sendMessageToTarget)."""

    def __init__(self, browser, context, page):
        self.page_cdp = context.new_cdp_session(page)
        self.browser_cdp = browser.new_browser_cdp_session()
        self.workers: dict[str, str] = {}  # targetId -> sessionId
        self.current = conditions(None)
        self.next_id = 1
        self.page_cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU})
        self.page_cdp.send("Network.enable")
        self.page_cdp.send("Performance.enable", {"timeDomain": "threadTicks"})
        self.browser_cdp.on("Target.targetCreated", self._created)
        self.browser_cdp.send("Target.setDiscoverTargets", {"discover": True})

    def _created(self, event):
        info = event["targetInfo"]
        if info["type"] == "service_worker" and info["targetId"] not in self.workers:
            try:
                got = self.browser_cdp.send("Target.attachToTarget",
                                            {"targetId": info["targetId"], "flatten": False})
            except Exception:  # noqa: BLE001 - the worker went away already
                return
            self.workers[info["targetId"]] = got["sessionId"]
            self._worker_send(got["sessionId"], "Network.enable", {})
            self._worker_send(got["sessionId"], "Network.emulateNetworkConditions",
                              self.current)

    def _worker_send(self, session: str, method: str, params: dict) -> None:
        self.next_id += 1
        try:
            self.browser_cdp.send("Target.sendMessageToTarget", {
                "sessionId": session,
                "message": json.dumps({"id": self.next_id, "method": method,
                                       "params": params})})
        except Exception:  # noqa: BLE001 - the worker stopped: the next one is set anew
            pass

    def network(self, profile: str | None, offline: bool = False) -> None:
        self.current = conditions(profile, offline)
        self.page_cdp.send("Network.emulateNetworkConditions", self.current)
        for session in self.workers.values():
            self._worker_send(session, "Network.emulateNetworkConditions", self.current)

    def task_seconds(self) -> float:
        metrics = self.page_cdp.send("Performance.getMetrics")["metrics"]
        return next(m["value"] for m in metrics if m["name"] == "TaskDuration")


# In the page, on every animation frame: is an element of the selector visible (and, with
# `editable`, enabled and not read-only)? Playwright's own waits (locator.wait_for) check
# on a backoff (0, 20, 100, 100, 500 ms…) and added up to half a second to a time: home
# was in the page 0.45 s before wait_for saw it. A frame is ~17 ms.
SHOWN = """([selector, editable]) => [...document.querySelectorAll(selector)].some((e) =>
  e.checkVisibility() && (!editable || !(e.disabled || e.readOnly)))"""


def shown(page, selector: str, editable: bool = False, timeout: float = 120_000) -> None:
    page.wait_for_function(SHOWN, arg=[selector, editable], polling="raf", timeout=timeout)


def usable(page, selector: str, timeout: float = 120_000) -> None:
    shown(page, selector, editable=True, timeout=timeout)


def open_form(page, selector: str, got: dict) -> None:
    """Tap "new activity" until the form's field is usable: a tap that lands on a home
    about to be redrawn is lost, and the officer taps again (counted in got["retaps"])."""
    from playwright.sync_api import TimeoutError as Timeout

    for attempt in range(6):
        page.click("#new-activity", timeout=120_000)
        try:
            usable(page, selector, timeout=10_000)
            return
        except Timeout:
            if not page.locator("#new-activity").is_visible():
                usable(page, selector)
                return
            got["retaps"] = got.get("retaps", 0) + 1
            say(f"the tap on #new-activity opened no form in 10 s (attempt {attempt + 1}, "
                f"waiting for {selector[:40]}, at {page.url})")
    raise RuntimeError("the activity form never opened")


def poll(page, expression: str, timeout: float = 120.0) -> None:
    from playwright.sync_api import Error

    deadline = time.monotonic() + timeout
    while True:
        try:
            if page.evaluate(f"Boolean({expression})"):
                return
        except Error as err:
            if "context was destroyed" not in str(err):
                raise
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {expression}")
        page.wait_for_timeout(100)


def typing(page, throttle: Throttle, selector: str, text: str) -> float:
    """Main-thread ms per key typing `text` into `selector`, 120 ms apart, the 1.5 s after
    it counted, the page's rate at rest (measured just before) subtracted."""
    field = page.locator(selector)
    field.fill("")
    field.click()
    page.wait_for_timeout(1500)
    rest_start, rest_clock = throttle.task_seconds(), time.perf_counter()
    page.wait_for_timeout(2000)
    rest = (throttle.task_seconds() - rest_start) / (time.perf_counter() - rest_clock)
    before, clock = throttle.task_seconds(), time.perf_counter()
    page.keyboard.type(text, delay=120)
    page.wait_for_timeout(1500)
    busy = throttle.task_seconds() - before - rest * (time.perf_counter() - clock)
    return max(busy, 0) * 1000 / len(text)


# The floor of the keystroke row on this machine, in the same run: a page with one plain
# <input> and no script, served over http at the server's address (in a context of its
# own: no worker answers it), typed into the same way at the same CPU rate.
FLOOR_PAGE = ('<!doctype html><html lang="vi"><meta charset="utf-8"><meta name="viewport" '
              'content="width=device-width, initial-scale=1"><title>floor</title>'
              '<input id="floor" type="text">')


def floor(browser, base: str, text: str) -> float:
    context = browser.new_context(viewport={"width": 360, "height": 640}, locale="vi-VN")
    try:
        url = f"{base}/bench-floor.html"
        context.route(url, lambda route: route.fulfill(body=FLOOR_PAGE,
                                                       content_type="text/html"))
        page = context.new_page()
        throttle = Throttle(browser, context, page)
        page.goto(url)
        return typing(page, throttle, "#floor", text)
    finally:
        context.close()


def one_run(browser, base: str, log: AccessLog, profile: str) -> dict:
    from tests.conftest import PASSWORD

    context = browser.new_context(viewport={"width": 360, "height": 640}, locale="vi-VN",
                                  service_workers="allow")
    try:
        page = context.new_page()
        throttle = Throttle(browser, context, page)
        throttle.network(profile)
        got: dict = {}
        # (a) cold first visit, sign-in included.
        mark = log.mark()
        start = time.perf_counter()
        page.goto(base, wait_until="commit")
        usable(page, "#username")
        got["login"] = time.perf_counter() - start
        page.fill("#username", OFFICER)
        page.fill("#password", PASSWORD)
        tap = time.perf_counter()
        page.click("#login-form button[type=submit]")
        shown(page, "#home")
        got["signin"] = time.perf_counter() - tap
        tap = time.perf_counter()
        open_form(page, FIRST_FIELD, got)
        now = time.perf_counter()
        got["tap_form"] = now - tap
        got["cold"] = now - start
        got["cold_requests"], got["cold_bytes"], got["cold_lines"] = log.since(mark)
        poll(page, "navigator.serviceWorker.controller !== null")
        page.wait_for_timeout(1000)  # the worker's precache and the draft settle
        # (b) warm reopen online.
        mark = log.mark()
        start = time.perf_counter()
        page.goto(base, wait_until="commit")
        shown(page, "#home")
        got["warm_home"] = time.perf_counter() - start
        open_form(page, FIRST_FIELD, got)
        got["warm_form"] = time.perf_counter() - start
        got["warm_requests"], got["warm_bytes"], got["warm_lines"] = log.since(mark)
        page.wait_for_timeout(1000)
        # (c) offline reopen.
        context.set_offline(True)
        throttle.network(profile, offline=True)
        start = time.perf_counter()
        page.goto(base, wait_until="commit")
        shown(page, "#home")
        got["offline"] = time.perf_counter() - start
        context.set_offline(False)
        throttle.network(profile)
        # (d) typing into the activity's title. The form can be drawn anew just after
        # it opens (a sync that ended on home re-routes): the text typed into the old
        # drawing is lost. Such a try is repeated (counted in got["retyped"]).
        text = "Tuyen truyen phap luat"[:KEYS]
        open_form(page, TEXT_FIELD, got)
        for attempt in range(4):
            key_ms = typing(page, throttle, TEXT_FIELD, text)
            if page.locator(TEXT_FIELD).input_value() == text:
                got["key_ms"] = key_ms
                break
            got["retyped"] = got.get("retyped", 0) + 1
            say(f"typed text did not arrive in the title (the form was drawn anew?), "
                f"attempt {attempt + 1}")
            page.wait_for_timeout(2000)
        else:
            raise RuntimeError("typed text never arrived in the activity's title")
        got["floor_ms"] = floor(browser, base, text)
        return got
    except Exception:
        shot = Path(tempfile.gettempdir()) / "bench-phone-failed.png"
        page.screenshot(path=shot)
        say(f"the run failed; the page at that moment: {shot}")
        raise
    finally:
        context.close()


def measure(base: str, log: AccessLog, runs: int, profiles: list[str]) -> dict:
    from playwright.sync_api import sync_playwright

    results: dict[str, list[dict]] = {p: [] for p in profiles}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for profile in profiles:
                for n in range(runs):
                    say(f"phone on {profile}, CPU ×{CPU}: run {n + 1} of {runs}")
                    results[profile].append(one_run(browser, base, log, profile))
        finally:
            browser.close()
    return results


def serve_and_measure(runs: int, profiles: list[str]) -> dict:
    from bench import sync
    from cslp_forms.extensions import db
    from tests.conftest import make_app, seed

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/phone.db"
        app = make_app(DATABASE_URL=url)
        with app.app_context():
            db.create_all()
        seed(app)
        with app.app_context():
            db.engine.dispose()
        access = Path(tmp) / "access.log"
        # --no-sendfile: gunicorn's log counts no bytes for a file it sends with sendfile().
        args = ("--no-sendfile", "--access-logfile", str(access),
                "--access-logformat", "%(s)s %(B)s %(m)s %(U)s")
        with sync.gunicorn(url, args) as (base, _proc):
            return measure(base, AccessLog(access), runs, profiles)


def med(values) -> float:
    return statistics.median(values)


def waterfall(lines: list[str]) -> str:
    """The paths of a run's requests, in order, shortened: what loaded before usable."""
    return ", ".join(line.split(" ")[-1] for line in lines)


def rows(runs: int | None = None, profiles: list[str] | None = None) -> list[tuple]:
    quick = os.environ.get("BENCH_PHONE_QUICK", "") not in ("", "0")
    runs = runs or (1 if quick else int(os.environ.get("BENCH_PHONE_RUNS", "5")))
    profiles = profiles or (["3G"] if quick else [
        p.strip() for p in os.environ.get("BENCH_PHONE_PROFILES", "slow 4G,3G").split(",")])
    if not os.path.exists(CHROMIUM):
        return [("Phone (Chromium, CPU ×4, slow 4G and 3G)", f"not measured: no Chromium "
                 f"at {CHROMIUM}", "–")]
    results = serve_and_measure(runs, profiles)
    out = []
    keys = []
    floors = []
    retyped = 0
    for profile, got in results.items():
        rtt, down, _up = PROFILES[profile]
        net = f"{profile} ({rtt} ms, {down / 1e6:g} Mbps)"
        three = profile == "3G"
        n = len(got)
        out.append((
            f"Phone, cold first visit → sign in → activity form usable; Chromium 360×640, "
            f"CPU ×{CPU}, {net}; median of {n}",
            f"{med(r['cold'] for r in got):.2f} s (sign-in form "
            f"{med(r['login'] for r in got):.2f} s, "
            f"tap Đăng nhập → home {med(r['signin'] for r in got):.2f} s, tap → form "
            f"{med(r['tap_form'] for r in got):.2f} s); "
            f"{med(r['cold_requests'] for r in got):.0f} requests, "
            f"{med(r['cold_bytes'] for r in got) / 1024:.0f} KB until usable",
            f"≤ {GOALS['cold']:g} s on 3G (Enketo, no sign-in: 8.6 s)" if three
            else "– (Enketo, no sign-in: 3.5 s)",
            med(r["cold"] for r in got) <= GOALS["cold"] if three else None))
        out.append((
            f"Phone, warm reopen online (worker installed) → home drawn, → activity form "
            f"usable; CPU ×{CPU}, {net}; median of {n}",
            f"home {med(r['warm_home'] for r in got):.2f} s, form "
            f"{med(r['warm_form'] for r in got):.2f} s; "
            f"{med(r['warm_requests'] for r in got):.0f} requests, "
            f"{med(r['warm_bytes'] for r in got) / 1024:.0f} KB until usable",
            f"≤ {GOALS['warm']:g} s on 3G (Enketo 1.1 s)" if three else "–",
            med(r["warm_form"] for r in got) <= GOALS["warm"] if three else None))
        out.append((
            f"Phone, offline reopen → home drawn; CPU ×{CPU}, after a run on {profile}; "
            f"median of {n}",
            f"{med(r['offline'] for r in got):.2f} s", f"≤ {GOALS['offline']:g} s",
            med(r["offline"] for r in got) <= GOALS["offline"]))
        keys += [r["key_ms"] for r in got]
        floors += [r["floor_ms"] for r in got]
        retyped += sum(r.get("retyped", 0) for r in got)
        lost = sum(r.get("retaps", 0) for r in got)
        if lost:
            out[-3] = (out[-3][0], f"{out[-3][1]}; {lost} taps on \"new activity\" in "
                       f"{n} runs opened no form in 10 s and were repeated", *out[-3][2:])
    out.append((
        f"Phone, main-thread time per keystroke typing {KEYS} characters into the "
        f"activity's title (CDP Performance.getMetrics TaskDuration, idle subtracted); "
        f"CPU ×{CPU}; median of {len(keys)}",
        f"{med(keys):.1f} ms (range {min(keys):.1f}–{max(keys):.1f}); a static page with one "
        f"plain <input>, same runs: {med(floors):.1f} ms (range {min(floors):.1f}–"
        f"{max(floors):.1f})"
        + (f"; in {retyped} tries the form was drawn anew after it opened and the typed "
           "text was lost (tried again)" if retyped else ""),
        f"≤ {GOALS['key']:g} ms (static page 18.5 ms)", med(keys) <= GOALS["key"]))
    last = results[profiles[-1]][0]
    say(f"first run on {profiles[-1]}, cold, until usable: {waterfall(last['cold_lines'])}")
    say(f"first run on {profiles[-1]}, warm, until usable: {waterfall(last['warm_lines'])}")
    return out


NOTES = """## How the phone rows are measured

bench/phone.py (its docstring has the details): Debian's Chromium through Playwright,
360×640, CPU ×4 (CDP `Emulation.setCPUThrottlingRate`), "slow 4G" (150 ms, 1.6 Mbps down,
750 kbps up) and "3G" (300 ms, 400 kbps) through CDP `Network.emulateNetworkConditions` on
the page and on the service worker; gunicorn serving `wsgi:app` (2 workers × 4 threads) on
an SQLite file with the test accounts. A fresh browser context per run. Times are wall
clock from the bench until a check in the page, run on every animation frame, sees the
element visible and editable (Playwright's own waits check on a backoff of up to 0.5 s,
which the times then included); requests and bytes are
what reached the server until then (gunicorn's access log, bodies only), the worker's
precache included. Keystrokes: renderer main-thread `TaskDuration` (CDP Performance
metrics) over 20 keys 120 ms apart and 1.5 s after, minus the page's idle rate; beside it
the same typing into a static page with one plain `<input>` (the floor on this machine).
`python -m bench.phone` runs this part alone and replaces its rows here
(`BENCH_PHONE_QUICK=1` for one run on 3G, `BENCH_PHONE_RUNS=N` for N runs).
"""


def write(rows_: list[tuple]) -> None:
    """Put the phone rows into BENCHMARKS.md in place of the previous ones (after the
    shell row if there were none), and the note on how they are measured."""
    path = ROOT / "BENCHMARKS.md"
    text = path.read_text(encoding="utf-8") if path.exists() else \
        "# Benchmarks\n\n| measurement | result | goal |\n|---|---|---|\n"
    lines = [line for line in text.splitlines() if not line.startswith("| Phone")]
    from bench.run import render

    new = render(rows_)[0].splitlines()[2:]
    at = next((i + 1 for i, line in enumerate(lines) if line.startswith("| PWA shell")),
              None)
    if at is None:
        at = next(i + 1 for i, line in enumerate(lines) if line.startswith("|---"))
    lines[at:at] = new
    text = "\n".join(lines) + "\n"
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True).stdout.strip() or "?"
    load = os.getloadavg()[0]
    head = "## How the phone rows are measured"
    note = NOTES
    if __name__ == "__main__":
        note = NOTES.replace(head, f"{head}\n\nLast measured by `python -m bench.phone` on "
                                   f"{stamp}, commit {commit} (1-minute load average "
                                   f"{load:.1f} on 2 cores at its end).")
    if head in text:
        before, _, after = text.partition(head)
        rest = after.split("\n## ", 1)
        text = before + note.rstrip() + "\n" + ("\n## " + rest[1] if len(rest) > 1 else "")
    else:
        text = text.rstrip() + "\n\n" + note
    path.write_text(text, encoding="utf-8")


def main() -> None:
    from bench.run import render

    got = rows()
    print("\n\n".join(render(got)))
    if "--no-write" not in sys.argv:
        write(got)


if __name__ == "__main__":
    main()
