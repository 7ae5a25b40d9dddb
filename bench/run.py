"""Prints the benchmark table and writes it to BENCHMARKS.md with the machine it ran on.

Measured so far: the PWA shell's size (what a phone downloads on its first visit), raw and
gzipped (goal: at most 60 KB gzipped, issue 4; Enketo ships about 2 MB, ODK Web Forms over
500 KB gzipped); the Web Push fan-out to 10,000 subscriptions (goal: 60 s, issue 6); and the
dashboard's indicators on PostgreSQL over generated records (bench/reports.py; BENCH_ROWS,
default 1,000,000; goal: the province in at most 200 ms, issue 7).
"""

from __future__ import annotations

import gzip
import os
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PWA = ROOT / "static" / "pwa"


def shell_size() -> dict:
    """Every file of the shell but the icons, each gzipped on its own as a server would."""
    files = [PWA / "index.html", PWA / "manifest.webmanifest", PWA / "sw.js",
             *sorted(PWA.glob("css/*.css")), *sorted(PWA.glob("js/**/*.js"))]
    raw = sum(f.stat().st_size for f in files)
    gz = sum(len(gzip.compress(f.read_bytes(), 9)) for f in files)
    return {"files": len(files), "raw": raw, "gzip": gz}


def push_fan_out(count: int = 10_000) -> dict:
    """One notification to `count` subscriptions on a local endpoint that answers 201:
    the time deliver() takes with its thread pool (issue 6 goal: at most 60 s)."""
    import base64
    import tempfile
    import threading
    import time
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    from cslp_forms import create_app
    from cslp_forms.extensions import db
    from cslp_forms.models import PushSubscription
    from cslp_forms.services import push
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
            ids = push.notify([1], kind="bench", key="bench", title="Nhắc hạn", body="Thử",
                              url="/", tag="bench")
            db.session.commit()
            start = time.perf_counter()
            counts = push.deliver(ids)
            seconds = time.perf_counter() - start
    server.shutdown()
    return {"count": count, "seconds": seconds, **counts}


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


def main() -> None:
    size = shell_size()
    fan_out = push_fan_out()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True).stdout.strip() or "?"
    rows = [
        ("PWA shell (HTML, JS, CSS, manifest, worker; no icons)",
         f"{size['gzip'] / 1024:.1f} KB gzipped ({size['raw'] / 1024:.1f} KB raw, "
         f"{size['files']} files)", "≤ 60 KB gzipped"),
        (f"Web Push fan-out: 1 notification to {fan_out['count']:,} subscriptions on a "
         "local endpoint (encryption, VAPID, HTTP; 32 threads)",
         f"{fan_out['seconds']:.1f} s ({fan_out['count'] / fan_out['seconds']:.0f}/s; "
         f"sent {fan_out['sent']}, failed {fan_out['failed']})", "≤ 60 s"),
    ]
    from bench.reports import measure as dashboard_rows

    rows += dashboard_rows()
    lines = ["| measurement | result | goal |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    table = "\n".join(lines)
    print(table)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    (ROOT / "BENCHMARKS.md").write_text(
        f"# Benchmarks\n\n`make bench` on {stamp}, commit {commit}.\n\n"
        f"Machine: {machine()}.\n\n{table}\n", encoding="utf-8")


if __name__ == "__main__":
    main()
