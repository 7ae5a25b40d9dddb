"""Sync through the real HTTP API: gunicorn serving wsgi:app (as `make run` does) on
PostgreSQL or SQLite, and phones as signed-in officer sessions that POST /api/sync and
pull /api/sync/changes over HTTP. Everything the server does for a phone is measured:
the session and CSRF checks, the validation of every answer, the revision kept for
history, the report facts and the change numbers.

The records are realistic: the demo's plan of a year (services/tasks/demo.py: every form in
its mix, Law Day activities, legal education, models, cases) as templates, re-dated over
2022–2024 and filed under the officer's commune, with UUIDs from a fixed seed.
"""

from __future__ import annotations

import base64
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid as uuid_lib
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import requests

from bench.reports import login, p95, say, timed
from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parent.parent
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
THREADS = int(os.environ.get("BENCH_THREADS", "4"))
YEARS = (2022, 2023, 2024)
DATE = re.compile(r"^2024-(\d\d-\d\d)$")


def prepare(url: str, *, officers_per_commune: int = 2) -> tuple[list[str], list[dict]]:
    """Migrate an empty database, load the units, and create `officers_per_commune`
    officers in each of the 108 communes. Returns their usernames, spread over the
    communes (the first 108 are in different communes), and the record templates."""
    from flask_migrate import upgrade
    from sqlalchemy import select

    from cslp_forms.extensions import db
    from cslp_forms.models import Unit
    from cslp_forms.services.base import units as unit_service
    from cslp_forms.services.tasks import demo
    from cslp_forms.services.users import create_user
    from tests.conftest import make_app

    app = make_app(DATABASE_URL=url)
    with app.app_context():
        upgrade()
        rows = unit_service.read_unit_file(unit_service.UNITS_2024)[1]
        unit_service.load_units(rows, valid_from=unit_service.date(2015, 1, 1))
        units = list(db.session.scalars(select(Unit).order_by(Unit.path)))
        communes = [u.code for u in units if u.level == "commune"]
        names = []
        for n in range(officers_per_commune):
            for code in communes:
                names.append(f"bench.{code}.{n}")
                create_user(username=names[-1], display_name=f"Cán bộ {code} ({n})",
                            password=PASSWORD, role="officer", unit_code=code)
        db.session.commit()
        # The demo's plan of 2024, built from the units as services/tasks/demo.py builds it.
        plan = demo._plan(units, {u.code: u for u in units})
        templates = [item for item, _ in plan.items]
        db.engine.dispose()
    return names, templates


class Records:
    """New records for one commune, from the templates: a fixed seed, so every run sends
    the same records."""

    def __init__(self, templates: list[dict], commune: str, seed: int):
        self.templates, self.commune = templates, commune
        self.rng = random.Random(seed)

    def next(self) -> dict:
        template = self.rng.choice(self.templates)
        year = self.rng.choice(YEARS)
        answers = _redate(template["answers"], year)
        if "incident_unit" in answers:
            answers["incident_unit"] = self.commune
        return {**template, "uuid": str(uuid_lib.UUID(int=self.rng.getrandbits(128),
                                                      version=4)),
                "unit": self.commune, "answers": answers}

    def batch(self, n: int) -> list[dict]:
        return [self.next() for _ in range(n)]


def _redate(value, year: int):
    if isinstance(value, str):
        match = DATE.match(value)
        return f"{year}-{match[1]}" if match else value
    if isinstance(value, list):
        return [_redate(v, year) for v in value]
    if isinstance(value, dict):
        return {k: _redate(v, year) for k, v in value.items()}
    return value


def commune_of(username: str) -> str:
    return username.split(".")[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(url: str, args: tuple[str, ...] = ()):
    """gunicorn serving wsgi:app on `url` with WORKERS workers of THREADS threads (the
    Makefile's `make run` settings), plus gunicorn's `args`. Yields (base URL, the
    master's process)."""
    port = _free_port()
    with tempfile.TemporaryDirectory() as instance:
        env = {**os.environ, "CSLP_DATABASE_URL": url, "CSLP_INSTANCE_PATH": instance,
               "CSLP_SECRET_KEY": base64.b64encode(os.urandom(32)).decode(),
               "CSLP_DATA_KEY": "k1=" + base64.b64encode(os.urandom(32)).decode()}
        log = open(Path(instance) / "gunicorn.log", "w+")  # noqa: SIM115
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}",
             "--workers", str(WORKERS), "--threads", str(THREADS), "--timeout", "60",
             *args, "wsgi:app"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    requests.get(f"{base}/api/forms", timeout=5)
                    break
                except (requests.ConnectionError, requests.Timeout):  # a busy machine
                    if proc.poll() is not None or time.monotonic() > deadline:
                        log.seek(0)
                        raise RuntimeError(f"gunicorn did not start:\n{log.read()}") from None
                    time.sleep(0.2)
            # Each worker imports the app on its first request: wait until all are up.
            while len(workers(proc)) < WORKERS:
                time.sleep(0.2)
            yield base, proc
        finally:
            proc.terminate()
            proc.wait(30)
            log.seek(0)
            lines = log.readlines()
            errors = [n for n, line in enumerate(lines) if "Traceback" in line
                      or "ERROR" in line]
            if errors:
                say(f"gunicorn logged {len(errors)} errors; the first:\n"
                    + "".join(lines[errors[0]:errors[0] + 40]))
            log.close()


def workers(proc) -> list[int]:
    try:
        children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in children.split()]


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time the processes have used (/proc/<pid>/stat)."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Device:
    """A phone: a signed-in officer session that sends records and pulls changes."""

    def __init__(self, base: str, username: str):
        self.base, self.username = base, username
        self.http = requests.Session()
        res = self.http.post(f"{base}/api/auth/login",
                             json={"username": username, "password": PASSWORD}, timeout=60)
        res.raise_for_status()
        self.http.headers["X-CSRF-Token"] = res.json()["csrf_token"]
        self.cursor = "0"

    def send(self, body: bytes, expected: int) -> None:
        """POST a prepared batch; anything but 200 and `expected` accepted is an error."""
        res = self.http.post(f"{self.base}/api/sync", data=body, timeout=120,
                             headers={"Content-Type": "application/json"})
        if res.status_code != 200:
            raise RuntimeError(f"POST /api/sync {res.status_code}: {res.text[:300]}")
        results = res.json()["results"]
        accepted = sum(r["status"] == "accepted" for r in results)
        if accepted != expected:
            bad = next(r for r in results if r["status"] != "accepted")
            raise RuntimeError(f"POST /api/sync: {accepted}/{expected} accepted: {bad}")

    def pull(self) -> bool:
        """One page of GET /api/sync/changes from her cursor; True when there is more."""
        res = self.http.get(f"{self.base}/api/sync/changes",
                            params={"cursor": self.cursor}, timeout=120)
        if res.status_code != 200:
            raise RuntimeError(f"GET /api/sync/changes {res.status_code}: {res.text[:300]}")
        body = res.json()
        self.cursor = body["cursor"]
        return body["has_more"]


def sign_in(base: str, usernames: list[str]) -> list[Device]:
    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(lambda name: Device(base, name), usernames))


def ingest(base: str, proc, usernames: list[str], templates: list[dict], *,
           per_request: int, records: int, clients: int = 4, seed: int = 0) -> dict:
    """`clients` officers of different communes send `records` new records each, at
    once, `per_request` records per POST. The bodies are built beforehand so the clients
    spend as little of the machine's two cores as they can. Also returns the CPU time
    the gunicorn workers spent per record (PostgreSQL's own is not counted), a figure
    that other work on a shared machine does not change much."""
    devices = sign_in(base, usernames[:clients])
    bodies = []
    for n, device in enumerate(devices):
        source = Records(templates, commune_of(device.username), seed * 1000 + n)
        bodies.append([json.dumps({"items": source.batch(min(per_request, records - i))})
                       .encode() for i in range(0, records, per_request)])
    barrier = threading.Barrier(clients + 1)
    errors: list[str] = []

    def run(device: Device, batches: list[bytes]) -> None:
        barrier.wait()
        for i, body in enumerate(batches):
            try:
                device.send(body, min(per_request, records - i * per_request))
            except (RuntimeError, requests.RequestException) as err:
                errors.append(str(err))

    threads = [threading.Thread(target=run, args=(d, b)) for d, b in zip(devices, bodies,
                                                                          strict=True)]
    for thread in threads:
        thread.start()
    cpu = time.process_time()
    pids = workers(proc)
    server_cpu = cpu_seconds(pids)
    barrier.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - start
    server_cpu = cpu_seconds(pids) - server_cpu
    stored = clients * records - sum(1 for _ in errors) * per_request
    return {"rate": stored / seconds, "seconds": seconds, "records": clients * records,
            "errors": len(errors), "first_error": errors[0] if errors else None,
            "client_cpu": (time.process_time() - cpu) / seconds,
            "server_ms": server_cpu * 1000 / (clients * records)}


def floor(base: str, proc, usernames: list[str], *, requests: int = 500,
          clients: int = 4) -> float:
    """What any signed-in request costs the server before its own work: `clients`
    officers at once, `requests` each, GET /api/auth/me (the session cookie, her
    server-side session and account read in one query, a small JSON answer). Returns
    the gunicorn workers' CPU per request (ms): the part of the one-record POST's figure
    that is not the record's."""
    devices = sign_in(base, usernames[:clients])
    for device in devices:  # connections and first compilations
        device.http.get(f"{base}/api/auth/me", timeout=60).raise_for_status()
    errors: list[int] = []

    def run(device: Device) -> None:
        for _ in range(requests):
            res = device.http.get(f"{base}/api/auth/me", timeout=60)
            if res.status_code != 200:
                errors.append(res.status_code)

    threads = [threading.Thread(target=run, args=(d,)) for d in devices]
    pids = workers(proc)
    cpu = cpu_seconds(pids)
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError(f"GET /api/auth/me answered {errors[0]} ({len(errors)} times)")
    return (cpu_seconds(pids) - cpu) * 1000 / (clients * requests)


def load(base: str, proc, usernames: list[str], templates: list[dict], *, devices: int,
         seconds: float, pause: float) -> dict:
    """Month-end: `devices` phones at once, each in a loop for `seconds`: connect, send
    its queued records (a small batch of 1 to 10), pull the changes until there are no
    more, disconnect, wait a moment (0 to 2 × `pause` seconds). Every request's latency
    is kept; the workers' memory is sampled every half second."""
    say(f"load: signing in {devices} devices")
    phones = sign_in(base, usernames[:devices])

    def catch_up(phone: Device) -> None:
        # Signed in seconds ago: her connection may be past gunicorn's keep-alive (2 s),
        # closed by the server as she sends on it (a reset that says nothing of the server).
        phone.http.close()
        while phone.pull():
            pass

    # Each phone starts from its cursor of the last sync, as at a month's end (the
    # officers of the ingest runs would otherwise first pull thousands of records).
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(catch_up, phones))
    at_rest = {pid: rss_mib(pid) for pid in workers(proc)}
    peak = dict(at_rest)
    latencies: dict[str, list[float]] = {"sync": [], "changes": []}
    errors: list[str] = []
    sent = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def run(n: int, phone: Device) -> None:
        rng = random.Random(n)
        source = Records(templates, commune_of(phone.username), 10_000 + n)
        while time.monotonic() < stop:
            items = source.batch(rng.randint(1, 10))
            body = json.dumps({"items": items}).encode()
            try:
                started = time.perf_counter()
                phone.send(body, len(items))
                took = time.perf_counter() - started
                pulls = []
                while True:
                    started = time.perf_counter()
                    more = phone.pull()
                    pulls.append(time.perf_counter() - started)
                    if not more:
                        break
                with lock:
                    latencies["sync"].append(took)
                    latencies["changes"].extend(pulls)
                    sent[0] += len(items)
            except (RuntimeError, requests.RequestException) as err:
                with lock:
                    errors.append(str(err))
            # Like a phone between two syncs, she lets the connection go: a connection
            # idle past gunicorn's keep-alive (2 s) is closed by the server, and a
            # request sent on it at that moment would fail however well the server did.
            phone.http.close()
            time.sleep(rng.uniform(0, 2 * pause))

    say(f"load: {devices} devices for {seconds:.0f} s")
    threads = [threading.Thread(target=run, args=(n, p)) for n, p in enumerate(phones)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    while any(t.is_alive() for t in threads):
        for pid in workers(proc):
            try:
                peak[pid] = max(peak.get(pid, 0), rss_mib(pid))
            except OSError:
                pass
        time.sleep(0.5)
    elapsed = time.perf_counter() - started
    both = sorted(latencies["sync"] + latencies["changes"])
    return {"devices": devices, "seconds": elapsed, "requests": len(both),
            "records": sent[0], "errors": len(errors),
            "first_error": errors[0] if errors else None, "all_errors": errors,
            "p50": _pct(both, 50), "p99": _pct(both, 99),
            "sync_p50": _pct(sorted(latencies["sync"]), 50),
            "sync_p99": _pct(sorted(latencies["sync"]), 99),
            "changes_p50": _pct(sorted(latencies["changes"]), 50),
            "changes_p99": _pct(sorted(latencies["changes"]), 99),
            "rest": sorted(at_rest.values()), "peak": sorted(peak.values())}


def _pct(values: list[float], pct: int) -> float:
    """Milliseconds at the `pct` percentile (nearest rank) of sorted seconds."""
    if not values:
        return float("nan")
    return values[min(len(values) - 1, max(0, round(pct / 100 * len(values)) - 1))] * 1000


def median_ms(values: list[float]) -> float:
    return statistics.median(values) * 1000


def changes_latency(app, *, runs: int = 30) -> list[tuple[str, float, float, int]]:
    """GET /api/sync/changes (a page of 100) on the generated database: an officer's
    first pull and her month-end pull (the last 10 of her records are new to the
    phone), a district supervisor's first pull, the province's. Returns (case, p50 ms,
    p95 ms, changes in the answer)."""
    from sqlalchemy import select

    from cslp_forms.extensions import db
    from cslp_forms.models import Submission, User

    with app.app_context():
        officer = db.session.scalar(select(User.id).where(User.username == "bench.31630"))
        recent = db.session.scalar(
            select(Submission.change_seq).where(Submission.author_id == officer)
            .order_by(Submission.change_seq.desc()).offset(10).limit(1)) or 0  # few rows
    cases = [("officer of commune 31630, first pull", "bench.31630", 0),
             ("officer of commune 31630, month-end pull (10 new)", "bench.31630", recent),
             ("district 945 supervisor, first pull", "bench.giamsat.945", 0),
             ("province administrator, first pull", "bench.admin", 0)]
    out = []
    for label, username, cursor in cases:
        client = login(app, username)
        url = f"/api/sync/changes?cursor={cursor}"
        res = client.get(url)
        if res.status_code != 200:
            raise RuntimeError(f"{url} as {username}: {res.status_code} {res.get_json()}")
        count = len(res.get_json()["changes"])
        times = timed(client, url, runs)
        out.append((label, statistics.median(times), p95(times), count))
    return out
