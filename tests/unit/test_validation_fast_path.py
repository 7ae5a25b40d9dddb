"""The fast paths of validation give marshmallow's answers: a definition's
`_surely_valid` is true exactly when its schema loads the answers without an error, the
compiled conditions are evaluate()'s, condition_errors is the walk over the definition
as written, load_item is SyncItemSchema's load (result or error), and has_bad_text is
the recursion it was."""

import copy
import uuid

from hypothesis import example, given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from cslp_forms.problems import BAD_TEXT, has_bad_text
from cslp_forms.schemas.sync import SyncItemSchema, load_item
from cslp_forms.services.base.forms import (
    compile_condition,
    condition_fields,
    evaluate,
    is_answered,
    registry,
)
from tests.unit.test_validation_properties import JSON_VALUES, VALUES
from tests.vectors import load_vectors

VECTORS = load_vectors()
DEFINITIONS = registry().current() + [v[2] for v in VECTORS]
# Answers near the valid ones: each vector's answers, then edited.
SEEDS = [(v[2], v[3]) for v in VECTORS if isinstance(v[3], dict)]


def _schema_accepts(definition, answers) -> bool:
    try:
        definition.schema.load(answers)
    except ValidationError:
        return False
    return True


def _conditions(specs):
    for spec in specs:
        for key in ("relevant", "required_if"):
            if key in spec:
                yield spec[key]
        if spec["type"] == "repeat":
            yield from _conditions(spec["fields"])


def _reference_scope_errors(specs, scope, top, messages):
    """services/base/forms.py's walk before it was compiled, as definitions/README.md
    states it."""
    names = {s["name"] for s in specs}

    def lookup(name):
        if top is not None and name not in names:
            return top.get(name)
        return scope.get(name)

    for spec in specs:
        name = spec["name"]
        value = scope.get(name)
        relevant = evaluate(spec["relevant"], lookup) if "relevant" in spec else True
        if not relevant:
            if is_answered(value):
                messages.setdefault(name, []).append("field.not_relevant")
            continue
        required = spec.get("required", False) or (
            "required_if" in spec and evaluate(spec["required_if"], lookup))
        if required and not is_answered(value):
            messages.setdefault(name, []).append("field.required")
        if spec["type"] == "repeat" and isinstance(value, list):
            for index, row in enumerate(value):
                if isinstance(row, dict):
                    row_messages = {}
                    _reference_scope_errors(spec["fields"], row, scope, row_messages)
                    if row_messages:
                        bucket = messages.setdefault(f"{name}.{index}", {})
                        for key, codes in row_messages.items():
                            bucket.setdefault(key, []).extend(codes)


def _reference_condition_errors(definition, answers):
    messages = {}
    _reference_scope_errors(definition.data["fields"], answers, None, messages)
    for check in definition.data.get("checks", []):
        whole = answers.get(check["lte"])
        parts = [answers.get(n) for n in check["sum"]]
        numbers = [p for p in parts if isinstance(p, int | float) and not isinstance(p, bool)]
        if isinstance(whole, int | float) and not isinstance(whole, bool) and numbers \
                and all(p is None or (isinstance(p, int | float) and not isinstance(p, bool))
                        for p in parts):
            if sum(numbers) > whole:
                messages.setdefault(check["field"], []).append(check["code"])
    return messages


@st.composite
def near_valid_answers(draw):
    """A vector's definition and answers, with a few answers changed, dropped or added
    (a value of any JSON type, a choice, a list of choices, a row of a repeat)."""
    definition, answers = draw(st.sampled_from(SEEDS))
    answers = copy.deepcopy(answers)
    names = [f["name"] for f in definition.data["fields"]]
    for _ in range(draw(st.integers(0, 3))):
        action = draw(st.sampled_from(["set", "drop", "row", "unknown"]))
        if action == "set":
            answers[draw(st.sampled_from(names))] = draw(VALUES)
        elif action == "drop" and answers:
            answers.pop(draw(st.sampled_from(sorted(answers))))
        elif action == "row":
            repeats = [n for n in answers if isinstance(answers[n], list)
                       and answers[n] and isinstance(answers[n][0], dict)]
            if repeats:
                rows = answers[draw(st.sampled_from(repeats))]
                row = rows[draw(st.integers(0, len(rows) - 1))]
                if isinstance(row, dict):
                    row[draw(st.sampled_from(sorted(row) + ["nope"]))] = draw(VALUES)
        elif action == "unknown":
            answers[draw(st.text(max_size=5))] = draw(VALUES)
    return definition, answers


@settings(max_examples=600, deadline=None)
@given(case=near_valid_answers())
def test_fast_path_accepts_exactly_what_the_schema_loads(case):
    definition, answers = case
    assert definition._surely_valid(answers) == _schema_accepts(definition, answers)


@settings(max_examples=300, deadline=None)
@given(index=st.sampled_from(range(len(DEFINITIONS))),
       answers=st.dictionaries(st.text(max_size=8), VALUES, max_size=8) | JSON_VALUES)
def test_fast_path_on_any_json(index, answers):
    definition = DEFINITIONS[index]
    if isinstance(answers, dict):
        assert definition._surely_valid(answers) == _schema_accepts(definition, answers)


def test_every_vector_valid_by_the_fast_path_and_the_schema_alike():
    seen = {True: 0, False: 0}
    for definition, answers in SEEDS:
        valid = _schema_accepts(definition, answers)
        assert definition._surely_valid(answers) == valid, answers
        seen[valid] += 1
    assert seen[True] and seen[False]  # both kinds are exercised


@settings(max_examples=600, deadline=None)
@given(case=near_valid_answers())
def test_condition_errors_as_written(case):
    definition, answers = case
    assert definition.condition_errors(answers) == _reference_condition_errors(
        definition, answers)


CONDITIONS = [c for d in DEFINITIONS for c in _conditions(d.data["fields"])] + [
    {"field": "a", "eq": 1}, {"field": "a", "eq": True}, {"field": "a", "in": [1, "x", None]},
    {"field": "a", "includes": 2}, {"field": "a", "includes_any": ["x", 1]},
    {"field": "a", "gt": 1}, {"field": "a", "gte": 1.5}, {"field": "a", "lt": 0},
    {"field": "a", "lte": 2}, {"field": "a", "answered": True},
    {"field": "a", "answered": False}, {"not": {"field": "a", "eq": "x"}},
    {"all": [{"field": "a", "eq": "x"}, {"any": [{"field": "b", "in": ["y", "z"]}]}]}]


@settings(max_examples=600, deadline=None)
@given(condition=st.sampled_from(CONDITIONS),
       values=st.lists(VALUES | st.just("x") | st.just(1) | st.just(True), max_size=6))
def test_compiled_conditions_are_evaluate(condition, values):
    names = sorted(set(condition_fields(condition)))
    scope = dict(zip(names, values, strict=False))
    assert compile_condition(condition)(scope.get) == evaluate(condition, scope.get)


def test_a_malformed_condition_raises_as_evaluate_does():
    for bad in ({"field": "a", "nope": 1}, {"nope": 1}, {"all": [{"field": "a"}]}):
        compiled = compile_condition(bad)
        for run in (compiled, lambda lookup, c=bad: evaluate(c, lookup)):
            try:
                run({"a": 1}.get)
            except Exception as err:  # noqa: BLE001
                raised = type(err)
            else:
                raised = None
            assert raised is not None
        assert getattr(compiled, "may_raise", False)


# --- the item envelope ---------------------------------------------------------------

SCHEMA = SyncItemSchema()
GOOD = {"uuid": "0b6f0bb5-8a3f-4b43-9d9c-6f1d1c7a3e10", "form": "activity", "version": 1,
        "unit": "31630", "base_revision": None, "answers": {"title": "x"},
        "attachments": ["a" * 64], "client_time": "2024-05-01T10:00:00.000Z",
        "parent": None}
EDITS = {
    "uuid": st.sampled_from([str(uuid.uuid4()), "nope", "{0b6f0bb5-8a3f-4b43-9d9c-6f1d1c7a3e10}",
                             "0B6F0BB58A3F4B439D9C6F1D1C7A3E10", 5, None]),
    "form": st.sampled_from(["", "a" * 32, "a" * 33, 1, None, "incident"]),
    "version": st.sampled_from([0, 1, 10_000, 10_001, True, 1.0, "1", None]),
    "unit": st.sampled_from(["", "1" * 10, "1" * 11, 31630, None]),
    "base_revision": st.sampled_from([None, 0, 1, 2**31 - 1, 2**31, False, 2.0]),
    "answers": st.sampled_from([{}, [], None, "x", {str(i): i for i in range(501)},
                                {str(i): i for i in range(500)}]),
    "attachments": st.sampled_from([[], None, ["a" * 64] * 20, ["a" * 64] * 21, ["A" * 64],
                                    ["a" * 64 + "\n"], [1], "x"]),
    "client_time": st.sampled_from([None, "2024-05-01T10:00:00Z", "2024-05-01T10:00:00",
                                    "1999-12-31T23:00:00+00:00", "nope", 3]),
    "parent": st.sampled_from([None, str(uuid.uuid4()), "nope", 1]),
}


def _load(loader, raw):
    try:
        return "ok", loader(raw)
    except ValidationError as err:
        return "error", err.messages


@settings(max_examples=500, deadline=None)
@given(edits=st.dictionaries(st.sampled_from(sorted(EDITS) + ["extra"]), st.none(),
                             max_size=4),
       drops=st.sets(st.sampled_from(sorted(GOOD))), data=st.data())
@example(edits={}, drops=set(), data=None)
def test_load_item_is_the_schemas_load(edits, drops, data):
    raw = {k: v for k, v in GOOD.items() if k not in drops}
    for key in edits:
        raw[key] = data.draw(EDITS[key]) if key in EDITS else 1
    assert _load(load_item, raw) == _load(SCHEMA.load, raw)


def test_load_item_of_what_is_not_an_object():
    for raw in ([], "x", None, 1):
        assert _load(load_item, raw) == _load(SCHEMA.load, raw)


# --- has_bad_text --------------------------------------------------------------------

def _reference_has_bad_text(value, depth=0):
    if isinstance(value, str):
        return bool(BAD_TEXT.search(value))
    if depth > 64:
        return True
    if isinstance(value, dict):
        return any(_reference_has_bad_text(k, depth + 1)
                   or _reference_has_bad_text(v, depth + 1) for k, v in value.items())
    if isinstance(value, list):
        return any(_reference_has_bad_text(v, depth + 1) for v in value)
    return False


def _nested(depth, leaf):
    value = leaf
    for n in range(depth):
        value = [value] if n % 2 else {"k": value}
    return value


@settings(max_examples=500, deadline=None)
@given(value=JSON_VALUES | st.dictionaries(st.text(max_size=3), JSON_VALUES, max_size=4))
def test_has_bad_text_as_written(value):
    assert has_bad_text(value) == _reference_has_bad_text(value)


def test_has_bad_text_depth_as_written():
    for depth in (63, 64, 65, 66):
        for leaf in ("ok", "\x00", 1, None, [], {}):
            value = _nested(depth, leaf)
            assert has_bad_text(value) == _reference_has_bad_text(value), (depth, leaf)
