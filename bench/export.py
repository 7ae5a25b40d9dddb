"""XLSX export at scale: time and peak memory of the province's activity records as the
export endpoint writes them (services/reports/exports.py: rows read in batches, openpyxl's
write-only mode into a temporary file).

Each size runs in a process of its own (`python -m bench.export URL ROWS`), so the peak
resident memory of that process (ru_maxrss) is the export's and nothing else's; it
prints one JSON line. The records are the first ROWS of the export's own query (oldest
first) on the generated 1,000,000-record database of bench/reports.py.
"""

from __future__ import annotations

import dataclasses
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def export(url: str, rows: int) -> dict:
    from sqlalchemy import select

    from cslp_forms.extensions import db
    from cslp_forms.models import User
    from cslp_forms.models.types import utcnow
    from cslp_forms.services.reports import exports
    from tests.conftest import make_app

    app = make_app(DATABASE_URL=url)
    with app.app_context():
        actor = db.session.scalar(select(User).where(User.username == "bench.admin"))
        before = _rss_mib()
        start = time.perf_counter()
        now = utcnow()
        prepared = exports.prepare_export(actor=actor, form="activity", fmt="xlsx",
                                          unit_code="94", period_text=None, status=None,
                                          union_cutoff=False, now=now)
        prepared = dataclasses.replace(prepared, query=prepared.query.limit(rows),
                                       rows=min(rows, prepared.rows))
        size = 0
        for chunk in exports.file_chunks(exports.xlsx_file(prepared, actor=actor, now=now)):
            size += len(chunk)
        seconds = time.perf_counter() - start
        db.engine.dispose()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"rows": prepared.rows, "seconds": seconds, "bytes": size,
            "rss_before": before, "peak_rss": peak}


def measure(url: str, rows: int) -> dict:
    """The export of `rows` records in a fresh process."""
    out = subprocess.run([sys.executable, "-m", "bench.export", url, str(rows)], cwd=ROOT,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    print(json.dumps(export(sys.argv[1], int(sys.argv[2]))))
