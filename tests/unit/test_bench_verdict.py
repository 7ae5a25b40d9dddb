"""make bench says which goals a run missed, not only the figures (a regression once sat
in BENCHMARKS.md for days because nothing said the dashboard had passed its goal)."""

from bench.run import render


def test_the_table_marks_each_judged_goal_and_names_the_missed_ones():
    table, verdict = render([
        ("Shell; first screen", "56 KB", "≤ 60 KB", True),
        ("Dashboard, province: 1,000,000 records; PostgreSQL", "304 ms", "≤ 200 ms", False),
        ("Memory", "120 MiB", "–"),
        ("District", "62 ms", "–", None),
    ])
    rows = table.splitlines()[2:]
    assert rows == ["| Shell; first screen | 56 KB | ≤ 60 KB ✓ |",
                    "| Dashboard, province: 1,000,000 records; PostgreSQL | 304 ms | ≤ 200 ms ✗ |",
                    "| Memory | 120 MiB | – |", "| District | 62 ms | – |"]
    assert verdict == "Goals met: 1 of 2. Missed: Dashboard, province."


def test_the_share_the_host_stole_over_the_run_and_at_worst(monkeypatch):
    from bench import reports

    # (steal, all) ticks: 1 % stolen in the first stretch, 30 % in the second.
    monkeypatch.setattr(reports, "STEAL_SEEN", [(0, 0), (100, 1000), (110, 2000),
                                                (410, 3000)])
    overall, worst = reports.steal_seen()
    assert (round(overall, 1), round(worst, 1)) == (15.5, 30.0)
    monkeypatch.setattr(reports, "STEAL_SEEN", [(0, 0)])  # no /proc/stat
    assert reports.steal_seen() == (0.0, 0.0)
