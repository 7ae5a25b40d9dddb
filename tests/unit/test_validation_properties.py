"""Property: any JSON as answers either validates or gives per-field errors with known
codes; the validator never raises."""

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from cslp_forms.problems import FIELD_MESSAGES
from cslp_forms.services.base.forms import registry

# Any code point, lone surrogates and NUL included: phones send what they send.
TEXT = st.text(st.characters(exclude_categories=()), max_size=20)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False) | TEXT,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(TEXT, children, max_size=4),
    max_leaves=12,
)
DEFINITIONS = registry().current()
NAMES = sorted({f["name"] for d in DEFINITIONS for f in d.data["fields"]})
CHOICES = sorted({c["value"] for d in DEFINITIONS for lst in d.data["choice_lists"].values()
                  for c in lst["choices"]})
VALUES = JSON_VALUES | st.sampled_from(CHOICES) | st.lists(st.sampled_from(CHOICES),
                                                           max_size=3)
ANSWERS = st.dictionaries(st.sampled_from(NAMES) | TEXT, VALUES, max_size=12)
CHECK_CODES = {c["code"] for d in DEFINITIONS for c in d.data.get("checks", [])}


@settings(max_examples=250, deadline=None)
@given(index=st.sampled_from(range(len(DEFINITIONS))), answers=ANSWERS | JSON_VALUES,
       attachments=st.lists(st.text(max_size=64), max_size=3))
def test_random_answers_validate_or_give_field_errors(index, answers, attachments):
    errors = DEFINITIONS[index].validate(answers, attachments)
    json.dumps(errors)
    for error in errors:
        assert set(error) == {"field", "code", "message"}
        assert error["code"] in FIELD_MESSAGES or error["code"] in CHECK_CODES
        assert isinstance(error["field"], str)  # the unknown key "" has the path ""
