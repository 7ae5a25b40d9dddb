"""The short form of `make fuzz` (tests/fuzz/run.py): schemathesis's fuzzing phase, a
few examples per operation, as an officer, a supervisor and an administrator. 0 server
errors and 0 answers the OpenAPI document does not describe."""

import pytest

from tests.fuzz.run import run

pytestmark = pytest.mark.fuzz


def test_schemathesis_finds_no_server_error_and_no_schema_violation():
    results = run(max_examples=3, seed=20241109, phases="fuzzing,stateful")
    for r in results:
        assert r["exit"] == 0 and not r["failures"], (
            f"{r['account']}: {r['cases']}\n{r['output'][-6000:]}")
