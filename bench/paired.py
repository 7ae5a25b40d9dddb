"""The server's cost per record, this checkout against an earlier commit, in turns on the
same machine: a shared machine's speed drifts 2–3× from one hour to the next, so figures
from different runs (or an older BENCHMARKS.md) cannot be compared; turns can.

    python -m bench.paired <commit> [turns, 3] [steps: batched,single[,load]]

For each turn, each tree (the earlier commit first, then this checkout) prepares its own
PostgreSQL database and serves it with gunicorn as its own bench/sync.py does, then runs:
  batched: 4 officers × 2,000 new records in batches of 50;
  single:  4 officers × 500 new records, one per request;
  floor:   4 officers × 500 signed-in GET /api/auth/me (trees whose bench/sync.py has
           floor: what a request costs before its own work);
  load:    the month-end load, 200 officers for 30 s (latency is the machine's too: the
           200 clients share its cores with the server).
It prints, per measurement, the gunicorn workers' CPU per record (or the load's p50/p99)
of each tree as median (min–max) and the ratio of the medians. The earlier commit is
checked out in a temporary git worktree (removed afterwards) and runs on this
checkout's virtualenv; its bench/sync.py must have prepare, gunicorn, ingest and load
(true from fba09a1, the commit issue 19's figures were measured at, on).
Not part of `make bench` (minutes per turn): for a closing note's before/after.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Runs inside each tree (its own bench package first on the path): one turn, as JSON.
TURN = """
import json, logging, sys
logging.disable(logging.WARNING)
from bench import sync
from bench.reports import pg_database
steps, out = sys.argv[1].split(","), {}
with pg_database() as url:
    if url is None:
        raise SystemExit("PostgreSQL is not reachable (make postgres)")
    names, templates = sync.prepare(url)
    with sync.gunicorn(url) as (base, proc):
        for step, per, records in (("batched", 50, 2000), ("single", 1, 500)):
            if step in steps:
                got = sync.ingest(base, proc, names, templates, per_request=per,
                                  records=records, seed=per)
                out[step] = got["server_ms"]
                out[step + "_errors"] = got["errors"]
        if "floor" in steps and hasattr(sync, "floor"):  # older trees: not measured
            out["floor"] = sync.floor(base, proc, names)
        if "load" in steps:
            # Statistics, as autovacuum (off on this machine's server) would have them.
            import psycopg
            from sqlalchemy.engine import make_url
            with psycopg.connect(make_url(url).set(drivername="postgresql")
                                 .render_as_string(hide_password=False),
                                 autocommit=True) as conn:
                conn.execute("ANALYZE")
            got = sync.load(base, proc, names, templates, devices=200, seconds=30,
                            pause=1.0)
            out.update(load_p50=got["p50"], load_p99=got["p99"],
                       load_errors=got["errors"])
print("TURN " + json.dumps(out))
"""

MEASURES = (("batched", "POST /api/sync, batches of 50: workers' CPU per record", "ms"),
            ("single", "POST /api/sync, one per request: workers' CPU per record", "ms"),
            ("floor", "signed-in GET /api/auth/me: workers' CPU per request", "ms"),
            ("load_p50", "month-end load (200 officers, 30 s): p50 latency", "ms"),
            ("load_p99", "month-end load (200 officers, 30 s): p99 latency", "ms"))


def turn(tree: Path, steps: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run([sys.executable, "-c", TURN, steps], cwd=tree, env=env,
                          capture_output=True, text=True, check=False)
    line = next((x for x in done.stdout.splitlines() if x.startswith("TURN ")), None)
    if done.returncode or line is None:
        raise RuntimeError(f"the turn in {tree} failed:\n{done.stderr[-3000:]}")
    return json.loads(line[5:])


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} ({min(values):.2f}–{max(values):.2f})"


def main() -> None:
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    commit = sys.argv[1]
    turns = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    steps = sys.argv[3] if len(sys.argv) > 3 else "batched,single"
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, check=True,
                          capture_output=True, text=True).stdout.strip()
    with tempfile.TemporaryDirectory() as tmp:
        old = Path(tmp) / "baseline"
        subprocess.run(["git", "worktree", "add", "--detach", str(old), commit], cwd=ROOT,
                       check=True, capture_output=True)
        try:
            got: dict[str, list[dict]] = {commit: [], head: []}
            for n in range(turns):
                for name, tree in ((commit, old), (head, ROOT)):
                    print(f"[paired] turn {n + 1} of {turns}: {name}", file=sys.stderr,
                          flush=True)
                    got[name].append(turn(tree, steps))
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(old)], cwd=ROOT,
                           check=False, capture_output=True)
    print(f"\n{turns} turns each, in turns on this machine (load average "
          f"{os.getloadavg()[0]:.1f} at the end); median (min–max):\n")
    print(f"| measurement | {commit} | {head} | {head} / {commit} |\n|---|---|---|---|")
    for key, label, unit in MEASURES:
        before = [t[key] for t in got[commit] if key in t]
        after = [t[key] for t in got[head] if key in t]
        if before and after:
            ratio = statistics.median(after) / statistics.median(before)
            print(f"| {label} ({unit}) | {spread(before)} | {spread(after)} | {ratio:.2f} |")
        elif after:  # measured by this checkout's bench only
            print(f"| {label} ({unit}) | – | {spread(after)} | – |")
    errors = {name: sum(v for t in turns_ for k, v in t.items() if k.endswith("errors"))
              for name, turns_ in got.items()}
    print(f"\nerrors: {errors}")


if __name__ == "__main__":
    main()
