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
