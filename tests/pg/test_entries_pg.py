"""The entry behaviours of tests/api/test_entries.py, run again against PostgreSQL."""

import pytest

from tests.api.test_entries import *  # noqa: F403

pytestmark = pytest.mark.pg
