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
