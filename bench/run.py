"""Prints the benchmark table and writes it to BENCHMARKS.md with the machine it ran on.

Measured so far: the PWA shell's size (what a phone downloads on its first visit), raw and
gzipped. Goal: at most 60 KB gzipped (issue 4); Enketo ships about 2 MB, ODK Web Forms
over 500 KB gzipped. And the dashboard's indicators on PostgreSQL over generated records
(bench/reports.py; BENCH_ROWS, default 1,000,000). Goal: the province in at most 200 ms.
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
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True).stdout.strip() or "?"
    rows = [
        ("PWA shell (HTML, JS, CSS, manifest, worker; no icons)",
         f"{size['gzip'] / 1024:.1f} KB gzipped ({size['raw'] / 1024:.1f} KB raw, "
         f"{size['files']} files)", "≤ 60 KB gzipped"),
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
