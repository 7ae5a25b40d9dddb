"""The province dashboard at scale on PostgreSQL: generates BENCH_ROWS records (default
1,000,000) with a fixed seed into a database of its own, then times
GET /api/reports/indicators for the province, a district and a commune.

Measured twice: records spread over ten years (a year holds a tenth, closer to how records
pile up), then every record dated 2024, the year the dashboard asks for (the worst case).
The mix follows the demo: mostly activities, some models and cases, 85 % approved. Rows
go straight in with SQL (the sync path would take minutes for a million): the record, its
report facts and the activity rollups, as sync would store them, each record authored by
its commune's officer (`bench.<code>`). bench/run.py reuses the first database for the
pull feed and the XLSX export (`dataset()`), rather than generating again.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
import uuid
from contextlib import contextmanager

import psycopg
from sqlalchemy import make_url, select, text

from tests.conftest import PASSWORD

ADMIN_URL = os.environ.get("PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
ROWS = int(os.environ.get("BENCH_ROWS", "1000000"))
RUNS = int(os.environ.get("BENCH_RUNS", "15"))

KINDS = ["pbgdpl"] * 40 + ["ngay_phap_luat"] * 25 + ["tu_van_phap_luat"] * 8 + \
    ["hoa_giai"] * 6 + ["tiep_nhan_don_thu"] * 5 + ["giam_sat"] * 3 + ["gop_y_du_thao"] * 3 + \
    ["phan_bien", "tot", "hoi_nghi_nhan_rong_mo_hinh", "doi_thoai", "tap_huan"] * 2
GENERATE = """
SELECT setseed(0.42);
CREATE TEMP TABLE gen AS
SELECT i,
       md5('cslp-bench-' || i)::uuid AS uuid,
       (SELECT array_agg(id ORDER BY path) FROM units)[1 + floor(random() * n_units)::int]
           AS unit_id,
       DATE '2024-12-31' - floor(random() * :days)::int AS day,
       CASE WHEN r1 < 0.90 THEN 'activity' WHEN r1 < 0.93 THEN 'model_group'
            ELSE 'incident' END AS form,
       CASE WHEN r2 < 0.85 THEN 'approved' WHEN r2 < 0.93 THEN 'submitted'
            WHEN r2 < 0.96 THEN 'in_review' WHEN r2 < 0.99 THEN 'returned'
            ELSE 'rejected' END AS status,
       (CAST(:kinds AS text[]))[1 + floor(random() * :n_kinds)::int] AS kind,
       CASE WHEN random() < 0.05 THEN 'ngay_25_11' ELSE NULL END AS campaign,
       10 + floor(random() * 150)::int AS people,
       random() AS r3, random() AS r4, random() AS r5
FROM (SELECT i, random() AS r1, random() AS r2,
             (SELECT count(*) FROM units) AS n_units
      FROM generate_series(:first, :first + :rows - 1) AS i) AS base;
INSERT INTO submissions (uuid, form, form_version, unit_id, author_id, record_date, period,
                         answers, attachments, status, revision, content_hash, created_at,
                         updated_at, change_seq, review_step)
SELECT uuid, form, 1, gen.unit_id, coalesce(officer.id, :author), day,
       to_char(day, 'YYYY-MM'),
       jsonb_build_object('start_date', day, 'activity_type', kind,
                          'program_source', jsonb_build_array('thuong_xuyen'),
                          'title_content', 'Tuyên truyền pháp luật cho hội viên, phụ nữ ' || i,
                          'participants_total', people,
                          'participants_female', people * 3 / 4,
                          'participants_male', people - people * 3 / 4),
       '[]'::jsonb, status, 1, md5(i::text) || md5(i::text), now(), now(), i, 0
FROM gen LEFT JOIN (SELECT unit_id, min(id) AS id FROM users WHERE role = 'officer'
                    GROUP BY unit_id) AS officer ON officer.unit_id = gen.unit_id;
INSERT INTO counters (name, value) VALUES ('changes', :first + :rows - 1)
ON CONFLICT (name) DO UPDATE SET value = excluded.value;
INSERT INTO report_facts (submission_uuid, form, unit_id, record_date, period, cutoff_period,
                          status, kind, campaign, lead_role, law_day, model_status,
                          established_date, trained_tot, domestic_violence, trafficking_return,
                          child_abuse, survivor_female, consent_reporting, service_reached,
                          participants_total, participants_female, participants_male,
                          participants_minority, recommendations_made, consultations,
                          mediations, petitions_received, members_total)
SELECT uuid, form, unit_id, day, to_char(day, 'YYYY-MM'),
       to_char(CASE WHEN extract(day FROM day) >= 15 THEN day + interval '1 month' ELSE day
               END, 'YYYY-MM'),
       status,
       CASE form WHEN 'activity' THEN kind
                 WHEN 'model_group' THEN 'to_phan_ung_nhanh_xam_hai_tre_em' END,
       CASE WHEN form = 'activity' THEN campaign END,
       CASE WHEN form = 'activity' AND kind = 'giam_sat' THEN 'chu_tri' END,
       form = 'activity' AND kind = 'ngay_phap_luat',
       CASE WHEN form = 'model_group' THEN 'dang_hoat_dong' END,
       CASE WHEN form = 'model_group' THEN day END,
       CASE WHEN form = 'model_group' THEN r3 < 0.5 END,
       CASE WHEN form = 'incident' THEN r3 < 0.7 END,
       CASE WHEN form = 'incident' THEN r3 >= 0.7 AND r3 < 0.8 END,
       CASE WHEN form = 'incident' THEN r3 >= 0.8 END,
       CASE WHEN form = 'incident' THEN r4 < 0.9 END,
       CASE WHEN form = 'incident' THEN r4 < 0.85 END,
       CASE WHEN form = 'incident' THEN r5 < 0.8 END,
       CASE WHEN form = 'activity' THEN people END,
       CASE WHEN form = 'activity' THEN people * 3 / 4 END,
       CASE WHEN form = 'activity' THEN people - people * 3 / 4 END,
       CASE WHEN form = 'activity' THEN people / 10 END,
       CASE WHEN kind = 'giam_sat' THEN 3 END,
       CASE WHEN kind = 'tu_van_phap_luat' THEN 7 END,
       CASE WHEN kind = 'hoa_giai' THEN 2 END,
       CASE WHEN kind = 'tiep_nhan_don_thu' THEN 3 END,
       CASE WHEN form = 'model_group' THEN 12 END
FROM gen;
DROP TABLE gen
"""


def generate(session, *, rows: int, days: int, author: int, first: int = 1) -> None:
    """Records `first` … `first + rows - 1` of the fixed-seed mix, dated over the `days`
    up to 2024-12-31, with their report facts (not the rollups: `rollup_insert`). The
    seed is the same for every call, so a second call with the next `first` adds the same
    mix again under new UUIDs (tests/pg/test_report_scale.py doubles a dataset so)."""
    params = {"kinds": KINDS, "n_kinds": len(KINDS), "rows": rows, "author": author,
              "days": days, "first": first}
    for statement in filter(str.strip, GENERATE.split(";\n")):
        session.execute(text(statement),
                        {k: v for k, v in params.items() if f":{k}" in statement})


def _libpq(url) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


LOAD_SEEN: list[float] = []
STEAL_SEEN: list[tuple[int, int]] = []


def cpu_ticks() -> tuple[int, int]:
    """(steal, all) of /proc/stat's CPU line, in clock ticks since boot: the time the
    hypervisor ran something else while this virtual machine wanted the CPU, and all the
    time. (0, 0) where there is no /proc/stat."""
    try:
        with open("/proc/stat") as stat:
            fields = [int(f) for f in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return 0, 0
    return (fields[7] if len(fields) > 7 else 0), sum(fields[:8])


def steal_seen() -> tuple[float, float]:
    """The share of CPU time stolen by the hypervisor over the run and at most between
    two progress lines (STEAL_SEEN, noted by say), in per cent."""
    marks = [m for m in STEAL_SEEN if m[1]]
    if len(marks) < 2:
        return 0.0, 0.0

    def share(a, b):
        return 100 * (b[0] - a[0]) / max(1, b[1] - a[1])

    pairs = zip(marks, marks[1:], strict=False)
    return share(marks[0], marks[-1]), max(share(a, b) for a, b in pairs)


def say(message: str) -> None:
    """Progress on stderr, so whoever runs `make bench` sees it is alive; notes the
    machine's load average and the CPU time stolen from it each time (the machine may
    be shared, and is a virtual machine whose host may be)."""
    LOAD_SEEN.append(os.getloadavg()[0])
    STEAL_SEEN.append(cpu_ticks())
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def timed(client, url: str, runs: int = RUNS) -> list[float]:
    """Milliseconds of `runs` GETs after two warm-up calls, sorted."""
    for _ in range(2):  # warm the caches
        assert client.get(url).status_code == 200
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        res = client.get(url)
        out.append((time.perf_counter() - start) * 1000)
        assert res.status_code == 200, res.get_data(as_text=True)[:300]
    return sorted(out)


def p95(times: list[float]) -> float:
    return times[int(0.95 * (len(times) - 1))]


def login(app, username: str, password: str = PASSWORD):
    client = app.test_client()
    res = client.post("/api/auth/login", json={"username": username, "password": password})
    assert res.status_code == 200, res.get_data(as_text=True)[:300]
    return client


def spread_label(years: int) -> str:
    return "all in 2024" if years == 1 else f"over {years} years, 1/{years} in 2024"


@contextmanager
def pg_database():
    """A PostgreSQL database of its own on the local server: yields its SQLAlchemy URL
    (None when the server cannot be reached), drops it afterwards unless BENCH_KEEP."""
    server = make_url(ADMIN_URL)
    try:
        psycopg.connect(_libpq(server), connect_timeout=5).close()
    except psycopg.OperationalError as err:
        say(f"PostgreSQL not reachable: {err}")
        yield None
        return
    name = f"cslp_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_libpq(server), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server.set(drivername="postgresql+psycopg", database=name) \
            .render_as_string(hide_password=False)
    finally:
        if os.environ.get("BENCH_KEEP"):
            say(f"kept database {name}")
        else:
            with psycopg.connect(_libpq(server), autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def analyze(url: str) -> None:
    """ANALYZE the database, as PostgreSQL's autovacuum would once its tables have grown
    (this machine's server runs without autovacuum: CI's settings)."""
    with psycopg.connect(_libpq(make_url(url)), autocommit=True) as conn:
        conn.execute("ANALYZE")


@contextmanager
def dataset(*, years: int):
    """A database of its own holding ROWS generated records dated over `years` years up
    to 2024, one officer account per commune (`bench.<code>`, the author of that
    commune's records), `bench.giamsat.945` for district 945 and `bench.admin` for the
    province. Yields (app, url, seconds the generation took), or None when PostgreSQL
    is not reachable."""
    from flask_migrate import upgrade

    from cslp_forms.extensions import db
    from cslp_forms.models import Unit
    from cslp_forms.services.base import units as unit_service
    from cslp_forms.services.records.facts import rollup_insert
    from cslp_forms.services.reports import targets as target_service
    from cslp_forms.services.users import create_user
    from tests.conftest import make_app

    with pg_database() as url:
        if url is None:
            yield None
            return
        app = make_app(DATABASE_URL=url)
        with app.app_context():
            upgrade()
            rows = unit_service.read_unit_file(unit_service.UNITS_2024)[1]
            unit_service.load_units(rows, valid_from=unit_service.date(2015, 1, 1))
            unit_service.apply_changes(unit_service.read_unit_file(
                unit_service.CHANGES_2024)[1])
            target_service.load_targets_file(target_service.PLAN_2024)
            author = create_user(username="bench.admin", display_name="Bench",
                                 password=PASSWORD, role="admin", unit_code="94")
            create_user(username="bench.giamsat.945", display_name="Giám sát 945",
                        password=PASSWORD, role="supervisor", unit_code="945")
            communes = db.session.scalars(select(Unit.code).where(
                Unit.level == "commune", Unit.valid_to.is_(None)).order_by(Unit.code))
            for code in list(communes):
                create_user(username=f"bench.{code}", display_name=f"Cán bộ {code}",
                            password=PASSWORD, role="officer", unit_code=code)
            db.session.commit()
            say(f"generating {ROWS:,} records {spread_label(years)}")
            started = time.perf_counter()
            generate(db.session, rows=ROWS, author=author.id,
                     days=366 if years == 1 else 365 * years)
            db.session.execute(rollup_insert())
            db.session.commit()
            generated = time.perf_counter() - started
        with psycopg.connect(_libpq(make_url(url)), autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
        say(f"generated in {generated:.0f} s")
        yield app, url, generated
        with app.app_context():
            db.engine.dispose()


def dashboard(app, *, years: int, generated: float) -> list[tuple]:
    """Rows for the benchmark table: the indicators of the province, a district and a
    commune, and how long the generation took."""
    client = login(app, "bench.admin")
    cases = [
        ("province 94, year 2024", "/api/reports/indicators?unit=94&year=2024"),
        ("province 94, year 2024, with pending",
         "/api/reports/indicators?unit=94&year=2024&include_pending=true"),
        ("province 94, Q4 on the union's cut-off",
         "/api/reports/indicators?unit=94&year=2024&period=Q4&union_cutoff=true"),
        ("district 945, year 2024", "/api/reports/indicators?unit=945&year=2024"),
        ("commune 31630, year 2024", "/api/reports/indicators?unit=31630&year=2024"),
    ]
    out = []
    say(f"dashboard over {ROWS:,} records {spread_label(years)}")
    for label, path in cases:
        times = timed(client, path)
        judged = label == "province 94, year 2024"
        out.append((f"GET /api/reports/indicators, {label}, {ROWS:,} records "
                    f"{spread_label(years)}; PostgreSQL",
                    f"median {statistics.median(times):.0f} ms, p95 {p95(times):.0f} ms "
                    f"({RUNS} runs)", "≤ 200 ms" if judged else "–",
                    statistics.median(times) <= 200 if judged else None))
    out.append((f"Generating {ROWS:,} records {spread_label(years)} and their facts "
                "(fixed seed)", f"{generated:.0f} s", "–"))
    return out
