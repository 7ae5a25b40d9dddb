"""Property: whatever a phone sends to /api/sync, the answer is 200 with one result per
item, or a 4xx problem; never a 500."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.sync_helpers import item
from tests.unit.test_validation_properties import ANSWERS, JSON_VALUES

ITEMS = st.one_of(
    JSON_VALUES,
    st.builds(lambda answers, unit, base, form, version: {
        **item(), "answers": answers, "unit": unit, "base_revision": base, "form": form,
        "version": version},
        ANSWERS, st.sampled_from(["31630", "945", "31585", "x", ""]) | JSON_VALUES,
        st.none() | st.integers(min_value=-2, max_value=3) | JSON_VALUES,
        st.sampled_from(["activity", "model_group", "incident"]) | JSON_VALUES,
        st.integers(min_value=0, max_value=2) | JSON_VALUES),
)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(items=st.lists(ITEMS, max_size=5))
def test_random_batches_never_answer_500(login, items):
    officer = login("canbo.anthanh2")
    res = officer.post("/api/sync", data=json.dumps({"items": items}),
                       content_type="application/json")
    assert res.status_code == 200, res.get_data(as_text=True)
    results = res.get_json()["results"]
    assert len(results) == len(items)
    for result in results:
        assert result["status"] in {"accepted", "duplicate", "conflict", "rejected", "locked"}
        if result["status"] == "rejected":
            assert result["errors"] and all(e["code"] for e in result["errors"])
    json.dumps(res.get_json(), ensure_ascii=False).encode()  # the answer is valid UTF-8


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=JSON_VALUES)
def test_random_bodies_are_problems_not_500(login, body):
    officer = login("canbo.anthanh2")
    res = officer.post("/api/sync", data=json.dumps(body), content_type="application/json")
    assert res.status_code in (200, 400, 413), res.get_data(as_text=True)
