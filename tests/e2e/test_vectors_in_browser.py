"""The shared validation vectors, run by static/pwa/js/forms/validate.js in Chromium:
the phone and the server give the same errors for the same answers."""

import pytest

from tests.vectors import load_vectors

pytestmark = pytest.mark.e2e

RUN = """async (cases) => {
  const { validate } = await import('/pwa/js/forms/validate.js');
  return cases.map(c => validate(c.definition, c.answers, c.attachments)
    .map(e => [e.field, e.code]));
}"""


def test_every_vector_gives_the_same_errors_in_the_browser(page, live_server):
    vectors = load_vectors()
    page.goto(live_server)
    cases = [{"definition": v[2].data, "answers": v[3], "attachments": v[4]} for v in vectors]
    got = page.evaluate(RUN, cases)
    mismatches = []
    for vector, errors in zip(vectors, got, strict=True):
        expected = sorted((e["field"], e["code"]) for e in vector[5])
        if sorted(map(tuple, errors)) != expected:
            mismatches.append((vector[0], vector[1], sorted(map(tuple, errors)), expected))
    assert mismatches == []
    assert len(got) == len(vectors) >= 70


TIMELINE = """async (input) => {
  const { deriveState, entryRefusal } = await import('/pwa/js/timeline.js');
  return {
    states: input.states.map(v => deriveState(v.record, v.timeline, v.today)),
    refusals: input.refusals.map(v => entryRefusal(v.record, v.timeline, v.answers, v.any_service)),
  };
}"""


def test_the_timeline_vectors_give_the_servers_state_in_the_browser(page, live_server):
    from cslp_forms.services.records.timeline import derive_state
    from tests.vectors.timeline import load_refusal_vectors, load_state_vectors

    states, refusals = load_state_vectors(), load_refusal_vectors()
    page.goto(live_server)
    got = page.evaluate(TIMELINE, {"states": states, "refusals": refusals})
    assert got["states"] == [derive_state(v["record"], v["timeline"], v["today"])
                             for v in states]
    assert got["refusals"] == [v["refusal"] for v in refusals]
