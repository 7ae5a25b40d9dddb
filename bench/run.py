"""Prints the benchmark table and writes it to BENCHMARKS.md with the machine it ran on.

Measured: the PWA shell's size (what a phone downloads on its first visit; goal at most
60 KB gzipped, issue 4); the officer's phone in Chromium, CPU ×4, on slow 4G and 3G:
cold visit with sign-in to a usable form, warm and offline reopen, typing (bench/phone.py,
issue 19); the Web Push fan-out to 10,000 subscriptions (goal 60 s, issue 6);
sync ingest through gunicorn on PostgreSQL and SQLite with the floor under it (a
signed-in request that does nothing of its own), the month-end load of 200 devices and
the workers' memory (bench/sync.py, issues 9 and 19); then, on 1,000,000 generated records
(bench/reports.py): the dashboard (goal: the province in at most 200 ms, issue 7), the
pull feed /api/sync/changes and the XLSX export (bench/export.py).

Sizes can be made smaller while developing: BENCH_ROWS, BENCH_RUNS,
BENCH_INGEST_BATCHED / BENCH_INGEST_SINGLE (records per client), BENCH_LOAD_DEVICES,
BENCH_LOAD_SECONDS, BENCH_LOAD_PAUSE, BENCH_EXPORT_ROWS ("10000,100000"),
BENCH_DASHBOARD_YEARS ("10,1"), BENCH_PHONE_RUNS (5), BENCH_PHONE_PROFILES ("slow 4G,3G"),
BENCH_PHONE_QUICK=1 (one run on 3G); BENCH_LOAD_DEVICES=0 leaves out the month-end load
and the memory row. BENCH_ONLY picks some of the steps ("shell,phone,push,sync,data",
comma-separated; e.g. BENCH_ONLY=sync for the sync rows alone): their rows are printed,
BENCHMARKS.md is left as it is. Progress goes to stderr.
"""

from __future__ import annotations

import gzip
import os
import platform
import re
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PWA = ROOT / "static" / "pwa"


def _sizes(files) -> dict:
    raw = sum(f.stat().st_size for f in files)
    gz = sum(len(gzip.compress(f.read_bytes(), 9)) for f in files)
    return {"files": len(files), "raw": raw, "gzip": gz}


def shell_size() -> dict:
    """What an officer's first load brings (index.html, manifest, worker, app.css, the
    modules app.js imports statically and those of signed-in.js it loads as it starts,
    each gzipped on its own as a server would), and every file the worker precaches
    (screens loaded on demand and admin styles included)."""
    from cslp_forms.pwa import later_modules, start_modules

    first = [PWA / "index.html", PWA / "manifest.webmanifest", PWA / "sw.js",
             PWA / "css" / "app.css",
             *(PWA / url.removeprefix("/pwa/") for url in start_modules() + later_modules())]
    every = [PWA / "index.html", PWA / "manifest.webmanifest", PWA / "sw.js",
             *sorted(PWA.glob("css/*.css")), *sorted(PWA.glob("js/**/*.js"))]
    return {**_sizes(first), "all": _sizes(every)}


def push_fan_out(count: int = 10_000) -> dict:
    """One notification to `count` subscriptions on a local endpoint that answers 201:
    the time a round of the push queue takes with its thread pool (issue 6 goal: at most
    60 s)."""
    import base64
    import tempfile
    import threading
    import time
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from sqlalchemy.orm import Session

    from cslp_forms import create_app
    from cslp_forms.extensions import db
    from cslp_forms.models import Notification, PushSubscription
    from cslp_forms.services.base import push
    from tests.conftest import seed

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_POST(self):  # noqa: N802
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(201)
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/push/"
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE_URL":
                          f"sqlite:///{tmp}/bench.db", "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
                          "PUSH_ENDPOINT_SCHEMES": ("http",)})
        with app.app_context():
            db.create_all()
        seed(app)
        with app.test_request_context():
            key = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
            p256dh = base64.urlsafe_b64encode(key).rstrip(b"=").decode()
            auth = base64.urlsafe_b64encode(os.urandom(16)).rstrip(b"=").decode()
            db.session.add_all(PushSubscription(user_id=1, endpoint=f"{url}{i}", p256dh=p256dh,
                                                auth=auth) for i in range(count))
            db.session.commit()
            # Stored as notify() stores it, without waking the courier: the bench drains.
            note = Notification(user_id=1, kind="bench", dedupe_key="bench:1", title="Nhắc hạn",
                                body="Thử", url="/", tag="bench", push_attempts=0)
            db.session.add(note)
            db.session.commit()
            start = time.perf_counter()
            with Session(db.engine) as session:
                counts = push.deliver_due(session)
            seconds = time.perf_counter() - start
    server.shutdown()
    return {"count": count, "seconds": seconds, **counts}


NOTES = """## How the sync rows are measured

- **Server:** gunicorn serving `wsgi:app` as `make run` does (2 workers × 4 threads,
  `--timeout 60`), with `CSLP_DATABASE_URL` on a database of its own (PostgreSQL 15 on
  127.0.0.1, or an SQLite file in WAL mode), freshly migrated with the 2024 units.
- **Clients:** threads of the bench process, each a `requests` session signed in as an
  officer (`POST /api/auth/login`, then the CSRF header on every POST). Everything runs on
  the same 2 cores: the clients' share of a core is printed with each ingest row.
- **Records:** the demo's plan of a year (`services/tasks/demo.py`: 94 % activities, 3.6 %
  models, 2.3 % cases, as the union files them) as templates, re-dated over 2022–2024,
  filed under the officer's commune, with UUIDs from a fixed seed. Every record is new
  and must come back `accepted`: a run with anything else counts it as an error.
- **Ingest:** 4 officers of 4 communes send at once; the request bodies are built before
  the clock starts.
- **Month-end load:** 200 officers (two per commune), each in a loop for 60 s: connect,
  send 1–10 new records, pull `/api/sync/changes` from her cursor until `has_more` is
  false, disconnect, pause 0–2 s. p50 and p99 are over every request of the run. This
  keeps the 2 cores busy (requests/s in its row is what they served), so the latencies
  are mostly time spent waiting for a free worker thread. It starts on the database the
  ingest rows filled, ANALYZEd first: this machine's PostgreSQL runs without autovacuum
  (CI's settings), which in production would have gathered statistics on tables grown
  from nothing, and without them the planner guessed a pull's plan from none.
- **Worker memory:** VmRSS of each gunicorn worker from `/proc/<pid>/status`.
- **Pull feed:** records are spread evenly over the 122 unit versions; the officer of
  commune 31630 authored her commune's share (8,096 of the 1,000,000); her month-end
  pull starts 10 records before her last. A page holds at most 100 changes.
- **XLSX export:** `prepare_export` and `xlsx_file` (what `GET /api/reports/export` runs)
  over the first N rows of the province's activity records, each size in a fresh process
  so that its peak RSS (`ru_maxrss`) is the export's own.
"""


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores ({cpu}), " \
           f"{mem:.0f} GiB, Python {platform.python_version()}"


def sync_rows() -> list[tuple]:
    """Ingest on PostgreSQL and SQLite, the month-end load and the workers' memory, all
    through gunicorn (bench/sync.py)."""
    from bench import sync
    from bench.reports import analyze, pg_database, say

    batched = int(os.environ.get("BENCH_INGEST_BATCHED", "5000"))
    single = int(os.environ.get("BENCH_INGEST_SINGLE", "500"))
    devices = int(os.environ.get("BENCH_LOAD_DEVICES", "200"))
    seconds = float(os.environ.get("BENCH_LOAD_SECONDS", "60"))
    pause = float(os.environ.get("BENCH_LOAD_PAUSE", "1.0"))
    server = f"gunicorn {sync.WORKERS} workers × {sync.THREADS} threads"
    rows = []
    with tempfile.TemporaryDirectory() as tmp, pg_database() as pg_url:
        engines = [("SQLite", f"sqlite:///{tmp}/bench.db")]
        if pg_url is not None:
            engines.insert(0, ("PostgreSQL", pg_url))
        for engine, url in engines:
            say(f"sync ingest on {engine}: preparing")
            names, templates = sync.prepare(url)
            with sync.gunicorn(url) as (base, proc):
                fresh = [sync.rss_mib(pid) for pid in sync.workers(proc)]
                for per_request, records, cpu_goal, goal in (
                        (50, batched, 0.25, "≤ 0.25 ms CPU per record (≥ 5,000/s on 2 cores)"),
                        (1, single, 2.5, "≤ 2.5 ms CPU per request (≥ 400/s on 2 cores; ODK "
                                         "Central, one per request: ~135/s with 1 client, "
                                         "~210/s with 4)")):
                    say(f"sync ingest on {engine}: 4 clients × {records} records, "
                        f"{per_request} per request")
                    got = sync.ingest(base, proc, names, templates,
                                      per_request=per_request, records=records,
                                      seed=per_request)
                    what = "batches of 50" if per_request == 50 else "one per request"
                    rows.append((
                        f"POST /api/sync on {engine}, {what}: 4 officers at once, "
                        f"{got['records']:,} new records (3 forms, 2022–2024), full "
                        f"validation, sessions, history; {server}",
                        f"{got['rate']:,.0f} records/s ({got['seconds']:.1f} s, "
                        f"{got['errors']} errors; gunicorn workers' CPU "
                        f"{got['server_ms']:.2f} ms per record; the clients used "
                        f"{got['client_cpu']:.0%} of a core)", goal,
                        got["server_ms"] <= cpu_goal and not got["errors"]))
                say(f"floor on {engine}: signed-in GET /api/auth/me, 4 clients")
                rows.append((
                    f"Floor under the POST rows, {engine}: a signed-in GET /api/auth/me "
                    f"(session cookie, server-side session and account read in one query, a "
                    f"small JSON answer), 4 officers at once, 2,000 requests; {server}",
                    f"gunicorn workers' CPU {sync.floor(base, proc, names):.2f} ms per "
                    "request", "– (what a one-record POST costs before its record)"))
                if engine != "PostgreSQL" or not devices:
                    continue
                analyze(url)  # the tables grew from nothing: their statistics
                got = sync.load(base, proc, names, templates, devices=devices,
                                seconds=seconds, pause=pause)
                for kind in sorted({e[:160] for e in got["all_errors"]}):
                    say(f"load: error: {kind}")
                rows.append((
                    f"Month-end load on PostgreSQL: {got['devices']} signed-in officers at "
                    f"once for {seconds:.0f} s, each sending 1–10 new records then pulling "
                    f"/api/sync/changes, pausing 0–{2 * pause:.0f} s; {server}",
                    f"{got['errors']} errors; p50 {got['p50']:.0f} ms, p99 "
                    f"{got['p99']:.0f} ms over {got['requests']:,} requests "
                    f"({got['requests'] / got['seconds']:.0f}/s; POST /api/sync "
                    f"p50 {got['sync_p50']:.0f} / p99 {got['sync_p99']:.0f} ms, changes "
                    f"p50 {got['changes_p50']:.0f} / p99 {got['changes_p99']:.0f} ms); "
                    f"{got['records']:,} records stored "
                    f"({got['records'] / got['seconds']:.0f}/s)", "p99 ≤ 1 s, 0 errors",
                    got["p99"] <= 1000 and not got["errors"]))
                mib = "; ".join(f"{a:.0f} → {b:.0f} → {c:.0f} MiB" for a, b, c in
                                zip(fresh, got["rest"], got["peak"], strict=False))
                rows.append((
                    f"gunicorn worker memory (RSS from /proc, each worker): just started → "
                    f"at rest after the ingest runs → peak under the month-end load; "
                    f"PostgreSQL, {server}", mib, "–"))
    return rows


def dataset_rows() -> list[tuple]:
    """On the generated 1,000,000-record databases (bench/reports.py): the dashboard,
    the pull feed and the XLSX export (on the first database, over ten years)."""
    from bench import export, sync
    from bench.reports import ROWS, dashboard, dataset, say

    out = []
    years_list = [int(y) for y in os.environ.get("BENCH_DASHBOARD_YEARS", "10,1").split(",")]
    sizes = [int(n) for n in os.environ.get("BENCH_EXPORT_ROWS", "10000,100000").split(",")]
    for n, years in enumerate(years_list):
        with dataset(years=years) as data:
            if data is None:
                return out + [("Measurements on 1,000,000 records", "not measured: no "
                               "PostgreSQL", "–")]
            app, url, generated = data
            out += dashboard(app, years=years, generated=generated)
            if n:
                continue
            say(f"GET /api/sync/changes over {ROWS:,} records")
            for label, p50, p95, count in sync.changes_latency(app):
                out.append((f"GET /api/sync/changes, {label}; {ROWS:,} records stored, "
                            "PostgreSQL", f"p50 {p50:.0f} ms, p95 {p95:.0f} ms ({count} "
                            "changes in the page; 30 runs)", "–"))
            for rows in sizes:
                say(f"XLSX export of {rows:,} records")
                got = export.measure(url, rows)
                out.append((
                    f"XLSX export of {got['rows']:,} activity records of the province "
                    f"(services/reports/exports.py, openpyxl write-only; a process of its own)",
                    f"{got['seconds']:.1f} s ({got['rows'] / got['seconds']:,.0f} rows/s, "
                    f"{got['bytes'] / 2**20:.1f} MiB file); peak RSS "
                    f"{got['peak_rss']:.0f} MiB ({got['rss_before']:.0f} MiB before the "
                    "export)", "memory flat in the number of rows"))
    return out


STEPS = ("shell", "phone", "push", "sync", "data")


def calibrate() -> float:
    """Milliseconds a fixed piece of pure-Python work takes on one core (the best of 5):
    the machine's own speed, which its load average does not show (a shared machine
    can run the same code 2–3× slower from one hour to the next)."""
    import hashlib

    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        digest = b""
        for n in range(200_000):
            digest = hashlib.sha256(digest + n.to_bytes(4, "big")).digest()
        best = min(best, time.perf_counter() - started)
    return best * 1000


def render(rows: list[tuple]) -> tuple[str, str]:
    """The table, and a line saying which goals the run met. A row is (measurement,
    result, goal) or, where the goal can be judged, (measurement, result, goal, met):
    its goal cell then says ✓ or ✗."""
    lines = ["| measurement | result | goal |", "|---|---|---|"]
    met, missed = 0, []
    for measurement, result, goal, *judged in rows:
        mark = ""
        if judged and judged[0] is not None:
            mark = " ✓" if judged[0] else " ✗"
            if judged[0]:
                met += 1
            else:
                missed.append(re.split("[:;]", measurement, maxsplit=1)[0])
        lines.append(f"| {measurement} | {result} | {goal}{mark} |")
    verdict = f"Goals met: {met} of {met + len(missed)}."
    if missed:
        verdict += " Missed: " + "; ".join(missed) + "."
    return "\n".join(lines), verdict


def main() -> None:
    from bench.reports import LOAD_SEEN, STEAL_SEEN, cpu_ticks, say, steal_seen

    only = [s.strip() for s in os.environ.get("BENCH_ONLY", "").split(",") if s.strip()]
    unknown = set(only) - set(STEPS)
    if unknown:
        raise SystemExit(f"BENCH_ONLY: unknown step {', '.join(sorted(unknown))}; "
                         f"steps: {', '.join(STEPS)}")
    steps = only or STEPS
    started = time.perf_counter()
    load_before = os.getloadavg()
    STEAL_SEEN.append(cpu_ticks())
    speed_before = calibrate()
    rows = []
    if "shell" in steps:
        say("PWA shell size")
        size = shell_size()
        rows.append((
            "PWA shell an officer's first screen loads (HTML, CSS, manifest, worker and the "
            "modules app.js imports statically or loads as it starts; no icons)",
            f"{size['gzip'] / 1024:.1f} KB gzipped ({size['raw'] / 1024:.1f} KB raw, "
            f"{size['files']} files); the worker precaches {size['all']['gzip'] / 1024:.1f} KB "
            f"gzipped in {size['all']['files']} files, screens loaded on demand included",
            "≤ 60 KB gzipped", size["gzip"] <= 60 * 1024))
    from bench import phone
    if "phone" in steps:
        say("the officer's phone in Chromium (bench/phone.py)")
        rows += phone.rows()
    if "push" in steps:
        say("Web Push fan-out to 10,000 subscriptions")
        fan_out = push_fan_out()
        rows.append((
            f"Web Push fan-out: 1 notification to {fan_out['count']:,} subscriptions on a "
            "local endpoint (encryption, VAPID, HTTP; 32 threads)",
            f"{fan_out['seconds']:.1f} s ({fan_out['count'] / fan_out['seconds']:.0f}/s; "
            f"sent {fan_out['sent']}, failed {fan_out['failed']})", "≤ 60 s",
            fan_out["seconds"] <= 60 and not fan_out["failed"]))
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True).stdout.strip() or "?"
    if "sync" in steps:
        rows += sync_rows()
    if "data" in steps:
        rows += dataset_rows()
    total = time.perf_counter() - started
    load_after = os.getloadavg()
    table, verdict = render(rows)
    print(table)
    print(verdict)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    say(f"done in {total / 60:.1f} min")
    seen = LOAD_SEEN or [load_before[0]]
    load = (f"its 1-minute load average was {load_before[0]:.1f} when the run started, "
            f"between {min(seen):.1f} and {max(seen):.1f} at its steps and "
            f"{load_after[0]:.1f} at its end, on 2 cores; a fixed CPU workload (200,000 "
            f"chained SHA-256 in Python, best of 5) took {speed_before:.0f} ms before the "
            f"run and {calibrate():.0f} ms after it (the lower, the faster the machine)")
    STEAL_SEEN.append(cpu_ticks())
    overall, worst = steal_seen()
    if STEAL_SEEN[-1][1]:
        # A virtual machine: CPU time its host gave to others is counted in no process,
        # yet every timing above waited for it. (The host's other tenants can also slow
        # this machine without stealing, through shared caches: the calibration's.)
        load += (f"; its host took {overall:.1f} % of the CPU time from it over the run "
                 f"(steal in /proc/stat), {worst:.1f} % at most between two progress "
                 "lines")
    if only:
        say(f"BENCH_ONLY={','.join(only)}: {load}; BENCHMARKS.md not written")
        return
    (ROOT / "BENCHMARKS.md").write_text(
        f"# Benchmarks\n\n`make bench` on {stamp}, commit {commit}: {total / 60:.1f} min "
        f"in all.\n\nMachine: {machine()}. The machine is shared with other engineers' "
        f"work: {load}; figures from a busier machine are "
        f"lower than an idle one would give.\n\n{verdict}\n\n"
        f"{table}\n\n{NOTES}\n{phone.NOTES}", encoding="utf-8")

if __name__ == "__main__":
    main()
