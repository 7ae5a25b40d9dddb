"""schemathesis over /api/openapi.json, signed in as an officer, a supervisor and an
administrator: no answer may be a server error, and every answer must be what the
document says (status code, content type, headers, body schema).

    python -m tests.fuzz.run [--max-examples N] [--seed S] [--phases …]   (`make fuzz`)

The app is served from a thread on an SQLite file of its own, seeded with the test
accounts; one `st run` per account. tests/fuzz/test_fuzz.py runs a short form of it."""

from __future__ import annotations

import argparse
import logging
import os
import re
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import requests
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[2]
ACCOUNTS = ("canbo.anthanh2", "giamsat.culaodung", "admin.tinh")
CHECKS = ("not_a_server_error,status_code_conformance,content_type_conformance,"
          "response_headers_conformance,response_schema_conformance")
PHASES = "examples,coverage,fuzzing,stateful"
# Signing out would end the session the run is signed in with; nothing else is left out.
EXCLUDE = ("/api/auth/logout",)


def serve(tmp: Path):
    """(base URL, server) of the app on a fresh seeded SQLite file."""
    os.environ["CSLP_INSTANCE_PATH"] = str(tmp)
    from cslp_forms.extensions import db
    from tests.conftest import make_app, seed

    app = make_app(DATABASE_URL=f"sqlite:///{tmp / 'fuzz.db'}")
    with app.app_context():
        db.create_all()
    seed(app)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # a line per request otherwise
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", server


def sign_in(base: str, username: str) -> tuple[str, str]:
    """(Cookie header, CSRF token) of a fresh session of `username`."""
    from tests.conftest import PASSWORD

    s = requests.Session()
    me = s.post(f"{base}/api/auth/login", json={"username": username, "password": PASSWORD})
    me.raise_for_status()
    return "; ".join(f"{k}={v}" for k, v in s.cookies.items()), me.json()["csrf_token"]


def fuzz(base: str, username: str, session: tuple[str, str], *, max_examples: int,
         seed: int, report: Path, phases: str) -> dict:
    """One `st run` in `session` (of `username`): its exit code and figures."""
    cookie, csrf = session
    cmd = [str(Path(sys.executable).with_name("st")), "run", f"{base}/api/openapi.json",
           "--checks", CHECKS, "--max-examples", str(max_examples), "--seed", str(seed),
           "--workers", "1", "--no-color", "--continue-on-failure",
           "--phases", phases, "--generation-database", "none",
           "-H", f"Cookie: {cookie}", "-H", f"X-CSRF-Token: {csrf}",
           "--report", "ndjson", "--report-ndjson-path", str(report)]
    for path in EXCLUDE:
        cmd += ["--exclude-path", path]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=900)
    out = done.stdout + done.stderr
    summary = out.split("SUMMARY")[-1]
    cases = re.search(r"Test cases:\s*(.+)", summary)
    failures = re.findall(r"❌\s*(.+)", summary)
    figures = {"account": username, "exit": done.returncode, "output": out,
               "cases": cases.group(1).strip() if cases else "?",
               "failures": failures}
    return figures


def run(max_examples: int, seed: int, phases: str = PHASES) -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        base, server = serve(Path(tmp))
        try:
            # All sign in first: one run's wrong passwords for made-up accounts count
            # against this client's address, and would refuse the next account's sign-in.
            sessions = {u: sign_in(base, u) for u in ACCOUNTS}
            return [fuzz(base, u, sessions[u], max_examples=max_examples, seed=seed,
                         phases=phases, report=Path(tmp) / f"{u}.ndjson") for u in ACCOUNTS]
        finally:
            server.shutdown()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=25)
    parser.add_argument("--seed", type=int, default=20241109)
    parser.add_argument("--phases", default=PHASES)
    args = parser.parse_args()
    results = run(args.max_examples, args.seed, args.phases)
    for r in results:
        print(r["output"])
    for r in results:
        print(f"{r['account']}: exit {r['exit']}; test cases: {r['cases']}; "
              f"failures: {'; '.join(r['failures']) or 'none'}")
    return max(r["exit"] for r in results)


if __name__ == "__main__":
    sys.exit(main())
