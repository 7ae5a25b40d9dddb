"""Where a request's CPU goes: cProfile over the Flask app (its test client, in this
process) for one-record `POST /api/sync` and an officer's month-end pull
`GET /api/sync/changes`, on a database prepared as bench/sync.py prepares it.

    python -m bench.profile [sqlite|postgresql] [requests] [records per POST, 1]

prints, for each of the two, the milliseconds of CPU per request and cProfile's top
functions by cumulative and by own time (PROFILE_TOP of them, 30; PROFILE_DUMP=<prefix>
also writes the profiles to <prefix>.post and <prefix>.get). cProfile's clock is the
wall clock, which counts the waits for the database as the driver's; PROFILE_CPU=1
profiles with this process's CPU time instead (what the goals count; the profiler
costs more). Not part of `make bench`: a tool for finding what to cut (issue 19).
"""

from __future__ import annotations

import base64
import cProfile
import io
import json
import os
import pstats
import sys
import tempfile
import time
from contextlib import nullcontext

from bench import sync
from bench.reports import pg_database
from tests.conftest import PASSWORD


def _app(url: str, instance: str):
    """The app as gunicorn builds it from the environment (not a test configuration)."""
    os.environ["CSLP_INSTANCE_PATH"] = instance
    from cslp_forms import create_app

    return create_app({"DATABASE_URL": url,
                       "SECRET_KEY": base64.b64encode(os.urandom(32)).decode(),
                       "DATA_KEY": "k1=" + base64.b64encode(os.urandom(32)).decode()})


def _profiler() -> cProfile.Profile:
    if os.environ.get("PROFILE_CPU"):
        return cProfile.Profile(time.process_time)
    return cProfile.Profile()


def _report(title: str, prof: cProfile.Profile, count: int, cpu: float, top: int) -> None:
    if os.environ.get("PROFILE_DUMP"):  # for pstats / snakeviz: <prefix>.post, .changes
        prof.dump_stats(f"{os.environ['PROFILE_DUMP']}.{title.split()[0].lower()}")
    print(f"\n== {title}: {count} requests, {cpu * 1000 / count:.2f} ms CPU each without "
          "the profiler (the test client's own work included); profiled:")
    for key in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(prof, stream=out).strip_dirs().sort_stats(key).print_stats(top)
        lines = out.getvalue().splitlines()
        start = next(i for i, line in enumerate(lines) if "ncalls" in line)
        print(f"-- by {key}")
        print("\n".join(lines[start:start + top + 1]))


def main() -> None:
    engine = sys.argv[1] if len(sys.argv) > 1 else "sqlite"
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 500
    per = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    top = int(os.environ.get("PROFILE_TOP", "30"))
    with tempfile.TemporaryDirectory() as tmp, \
            (pg_database() if engine.startswith("p") else nullcontext(None)) as pg_url:
        url = pg_url or f"sqlite:///{tmp}/bench.db"
        names, templates = sync.prepare(url, officers_per_commune=1)
        app = _app(url, tmp)
        client = app.test_client()
        res = client.post("/api/auth/login", json={"username": names[0],
                                                   "password": PASSWORD})
        assert res.status_code == 200, res.get_data(as_text=True)
        headers = {"X-CSRF-Token": res.get_json()["csrf_token"],
                   "Content-Type": "application/json"}
        source = sync.Records(templates, sync.commune_of(names[0]), 1)
        bodies = [json.dumps({"items": source.batch(per)}).encode()
                  for _ in range(count + 50)]
        for body in bodies[:50]:  # warm-up: caches, first compilations
            client.post("/api/sync", data=body, headers=headers)
        half = count // 2
        cpu = time.process_time()
        for body in bodies[50:50 + half]:
            res = client.post("/api/sync", data=body, headers=headers)
            assert {r["status"] for r in res.get_json()["results"]} == {"accepted"}
        cpu = time.process_time() - cpu
        prof = _profiler()
        prof.enable()
        for body in bodies[50 + half:]:
            res = client.post("/api/sync", data=body, headers=headers)
            assert {r["status"] for r in res.get_json()["results"]} == {"accepted"}
        prof.disable()
        _report(f"POST /api/sync, {per} record(s) per request, {engine}", prof, half, cpu,
                top)

        # Month-end: the last 10 of her records are new to the phone.
        first = client.get("/api/sync/changes?cursor=0&limit=1").get_json()["changes"]
        start = first[0]["change"] + (count + 50) * per - 11 if first else 0
        for _ in range(5):
            client.get(f"/api/sync/changes?cursor={start}")
        pulls = max(50, count // 2)
        cpu = time.process_time()
        for _ in range(pulls):
            res = client.get(f"/api/sync/changes?cursor={start}")
            assert len(res.get_json()["changes"]) == 10, res.get_json()
        cpu = time.process_time() - cpu
        prof = _profiler()
        prof.enable()
        for _ in range(pulls):
            client.get(f"/api/sync/changes?cursor={start}")
        prof.disable()
        _report(f"GET /api/sync/changes, month-end pull (10 new), {engine}", prof, pulls,
                cpu, top)
        with app.app_context():
            from cslp_forms.extensions import db

            db.engine.dispose()


if __name__ == "__main__":
    main()
