"""`make bench`: measurements, kept apart from the tests (speed is measured, not asserted)."""
