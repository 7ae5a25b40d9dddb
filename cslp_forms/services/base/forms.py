"""Form definitions as data: loading the versioned JSON files, building the marshmallow
schema that validates answers, and the small condition language (`relevant`,
`required_if`) that static/pwa/js/forms/validate.js evaluates the same way."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache, cached_property
from pathlib import Path

from flask import current_app, g, has_app_context
from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy import func, select

from ...extensions import db
from ...problems import field_errors
from ...schemas.base import ApiSchema

log = logging.getLogger(__name__)

DEFINITIONS_DIR = Path(__file__).resolve().parents[2] / "definitions"
FILE_NAME = re.compile(r"^(?P<form>[a-z_]+)\.v(?P<version>\d+)\.json$")
SHA256 = re.compile(r"^[0-9a-f]{64}$")
UNIT_CODE = re.compile(r"^[0-9]{2,5}$")
DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
# Integers without a declared max stay inside what JavaScript and 32-bit columns hold.
DEFAULT_INT_MAX = 2**31 - 1
DEFAULTS = {"text": 500, "long_text": 5000, "repeat": 100, "photo": 5}
FIELD_TYPES = {"text", "long_text", "integer", "date", "select_one", "select_multiple",
               "yes_no", "unit", "repeat", "photo"}
COMPARE = {"gt": lambda a, b: a > b, "gte": lambda a, b: a >= b,
           "lt": lambda a, b: a < b, "lte": lambda a, b: a <= b}


class DefinitionError(ValueError):
    """A definition file breaks the format of definitions/README.md."""


# --- the condition language ----------------------------------------------------------

def is_answered(value) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return value.strip() != ""
    if isinstance(value, list):
        return len(value) > 0
    return True


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def same(a, b) -> bool:
    """JavaScript's === on JSON values: true is not 1."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if _is_number(a) and _is_number(b):
        return a == b
    return type(a) is type(b) and a == b


def evaluate(condition: dict, lookup) -> bool:
    if "all" in condition:
        return all(evaluate(c, lookup) for c in condition["all"])
    if "any" in condition:
        return any(evaluate(c, lookup) for c in condition["any"])
    if "not" in condition:
        return not evaluate(condition["not"], lookup)
    value = lookup(condition["field"])
    if "eq" in condition:
        return same(value, condition["eq"])
    if "in" in condition:
        return any(same(value, v) for v in condition["in"])
    if "includes" in condition:
        return isinstance(value, list) and any(same(x, condition["includes"]) for x in value)
    if "includes_any" in condition:
        return isinstance(value, list) and any(
            same(x, v) for x in value for v in condition["includes_any"])
    if "answered" in condition:
        return is_answered(value) == condition["answered"]
    for op, compare in COMPARE.items():
        if op in condition:
            return _is_number(value) and compare(value, condition[op])
    raise DefinitionError(f"unknown condition {condition!r}")


def compile_condition(condition):
    """`lambda lookup: evaluate(condition, lookup)`, the same values and errors, with the
    condition's shape read once instead of at every evaluation (a definition's conditions
    run for every record it validates). A shape it does not know is left to evaluate()."""
    try:
        compiled = _compiled(condition)
    except Exception:  # noqa: BLE001  (malformed: evaluate() says how, when it runs)
        compiled = None
    return compiled or _evaluating(condition)


def _evaluating(condition):
    """evaluate() itself, for a shape compile_condition does not know (or a malformed
    one, which raises when it runs); marked so, as it may raise."""
    def run(lookup):
        return evaluate(condition, lookup)

    run.may_raise = True
    return run


def _may_raise(*compiled) -> bool:
    return any(getattr(c, "may_raise", False) for c in compiled)


def _compiled(condition: dict):
    if "all" in condition:
        parts = tuple(compile_condition(c) for c in condition["all"])
        return None if _may_raise(*parts) else (
            lambda lookup: all(part(lookup) for part in parts))
    if "any" in condition:
        parts = tuple(compile_condition(c) for c in condition["any"])
        return None if _may_raise(*parts) else (
            lambda lookup: any(part(lookup) for part in parts))
    if "not" in condition:
        inner = compile_condition(condition["not"])
        return None if _may_raise(inner) else (lambda lookup: not inner(lookup))
    name = condition["field"]
    if "eq" in condition:
        target = condition["eq"]
        if type(target) is str:  # same(v, text) is exactly this
            return lambda lookup: type(value := lookup(name)) is str and value == target
        return lambda lookup: same(lookup(name), target)
    if "in" in condition:
        targets = condition["in"]
        if all(type(t) is str for t in targets):
            texts = frozenset(targets)
            return lambda lookup: type(value := lookup(name)) is str and value in texts
        targets = tuple(targets)

        def among(lookup):
            value = lookup(name)
            return any(same(value, t) for t in targets)

        return among
    if "includes" in condition:
        target = condition["includes"]
        if type(target) is str:
            return lambda lookup: isinstance(value := lookup(name), list) and any(
                type(x) is str and x == target for x in value)
        return lambda lookup: isinstance(value := lookup(name), list) and any(
            same(x, target) for x in value)
    if "includes_any" in condition:
        targets = tuple(condition["includes_any"])
        return lambda lookup: isinstance(value := lookup(name), list) and any(
            same(x, t) for x in value for t in targets)
    if "answered" in condition:
        flag = condition["answered"]
        return lambda lookup: is_answered(lookup(name)) == flag
    for op, compare in COMPARE.items():
        if op in condition:
            bound = condition[op]
            return lambda lookup: _is_number(value := lookup(name)) and compare(value, bound)
    return None  # evaluate() raises DefinitionError


def condition_fields(condition: dict):
    for key in ("all", "any"):
        for c in condition.get(key, []):
            yield from condition_fields(c)
    if "not" in condition:
        yield from condition_fields(condition["not"])
    if "field" in condition:
        yield condition["field"]


# --- marshmallow fields for answers --------------------------------------------------

class StrictInteger(fields.Integer):
    def _validated(self, value):
        if isinstance(value, bool):
            raise self.make_error("invalid")
        return super()._validated(value)


class StrictBoolean(fields.Field):
    default_error_messages = {"invalid": "field.invalid_type"}

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class DateString(fields.String):
    """`YYYY-MM-DD`, a real calendar day in 1900–2100; kept as the string it was sent."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            if not DATE.match(text) or not 1900 <= date.fromisoformat(text).year <= 2100:
                raise ValueError
        except ValueError:
            raise self.make_error("invalid") from None
        return text


def _bounds(lo, hi):
    def check(value):
        if lo is not None and value < lo:
            raise ValidationError("field.below_min")
        if value > hi:
            raise ValidationError("field.above_max")

    return check


def _count(lo, hi):
    def check(value):
        if lo and len(value) < lo:
            raise ValidationError("field.too_few")
        if hi is not None and len(value) > hi:
            raise ValidationError("field.too_many")

    return check


def _distinct(value):
    if len({json.dumps(v) for v in value}) != len(value):
        raise ValidationError("field.duplicate_choice")


def _pattern(regex: str):
    compiled = re.compile(regex)

    def check(value):
        if not compiled.fullmatch(value):
            raise ValidationError("field.pattern_mismatch")

    return check


class AnswersSchema(ApiSchema):
    """Base of every generated schema: unknown answers are errors; a value of the wrong
    JSON type is field.invalid_type."""

    error_messages = {"unknown": "field.unknown", "type": "field.invalid_type"}


def _is_date(value) -> bool:
    """DateString would load it (a str, so None is refused here as elsewhere)."""
    try:
        return type(value) is str and DATE.match(value) is not None \
            and 1900 <= date.fromisoformat(value).year <= 2100
    except ValueError:
        return False


def _counted(lo, hi):
    """_count(lo, hi) as a test."""
    return lambda value: not (lo and len(value) < lo) and not (hi is not None
                                                               and len(value) > hi)


def _all_accepted(accepts: dict, answers: dict) -> bool:
    """Every key a known field's, every value None or accepted by its field."""
    for key, value in answers.items():
        check = accepts.get(key)
        if check is None or (value is not None and not check(value)):
            return False
    return True


@dataclass(frozen=True)
class _Scope:
    """A list of field specs as _scope_errors walks it, read once: the names, and for
    each field (name, relevant, required, required_if, rows, always) with the conditions
    compiled, `rows` the plan of a repeat's row, and `always` false when the question
    left unanswered can have nothing to say (not required in any case, and its
    `relevant` cannot raise): most questions of a record, skipped at once."""

    names: frozenset
    steps: tuple


def _scope_plan(specs: list[dict]) -> _Scope:
    steps = []
    for s in specs:
        relevant = compile_condition(s["relevant"]) if "relevant" in s else None
        required = s.get("required", False)
        required_if = compile_condition(s["required_if"]) if "required_if" in s else None
        rows = _scope_plan(s["fields"]) if s["type"] == "repeat" else None
        always = bool(required) or required_if is not None or _may_raise(relevant)
        steps.append((s["name"], relevant, required, required_if, rows, always))
    return _Scope(frozenset(s["name"] for s in specs), tuple(steps))


# --- definitions ---------------------------------------------------------------------

@dataclass
class FormDefinition:
    data: dict
    source: str = ""
    raw: bytes = field(default=b"", repr=False)

    @property
    def form(self) -> str:
        return self.data["form"]

    @property
    def version(self) -> int:
        return self.data["version"]

    @property
    def date_field(self) -> str:
        return self.data["date_field"]

    @property
    def unit_levels(self) -> list[str]:
        return self.data["unit_levels"]

    @property
    def sensitive(self) -> bool:
        return bool(self.data.get("sensitive"))

    @property
    def review_chain(self) -> list[str]:
        return self.data.get("review", {}).get("chain", ["district"])

    @property
    def parent_form(self) -> str | None:
        """An entry form's parent (`incident`, `model_group`): its records are entries
        on an approved record of that form (definitions/README.md, "Entry forms")."""
        return self.data.get("parent_form")

    def needs_review(self, answers: dict) -> bool:
        """Whether a record goes up the review chain: every record of an ordinary form;
        an entry only when its `review.when` condition holds (closing a case, dissolving
        a group); routine entries stand approved at once."""
        when = self.data.get("review", {}).get("when")
        if when is None:
            return True
        return evaluate(when, answers.get)

    @cached_property
    def digest(self) -> str:
        return hashlib.sha256(self.raw).hexdigest()

    def choices(self, spec: dict) -> list[str]:
        return [c["value"] for c in self.data["choice_lists"][spec["choices"]]["choices"]]

    def unit_fields(self) -> list[tuple[str, dict]]:
        """(name, spec) of every top-level `unit` field; rows hold none by design."""
        return [(f["name"], f) for f in self.data["fields"] if f["type"] == "unit"]

    def photo_fields(self) -> list[str]:
        return [f["name"] for f in self.data["fields"] if f["type"] == "photo"]

    # schema building
    def _field(self, spec: dict) -> fields.Field:
        kind = spec["type"]
        opts = {"allow_none": True, "load_default": None}
        if kind in ("text", "long_text"):
            checks = [validate.Length(max=spec.get("max_length", DEFAULTS[kind]),
                                      error="field.too_long")]
            if "pattern" in spec:
                checks.append(_pattern(spec["pattern"]))
            return fields.String(validate=checks, **opts)
        if kind == "integer":
            return StrictInteger(strict=True, validate=_bounds(
                spec.get("min"), spec.get("max", DEFAULT_INT_MAX)), **opts)
        if kind == "date":
            return DateString(**opts)
        if kind == "select_one":
            return fields.String(validate=validate.OneOf(self.choices(spec),
                                                         error="field.not_a_choice"), **opts)
        if kind == "select_multiple":
            item = fields.String(validate=validate.OneOf(self.choices(spec),
                                                         error="field.not_a_choice"))
            return fields.List(item, validate=[_distinct, _count(spec.get("min_items"),
                                                                 spec.get("max_items"))],
                               **opts)
        if kind == "yes_no":
            return StrictBoolean(**opts)
        if kind == "unit":
            return fields.String(validate=validate.Regexp(UNIT_CODE, error="field.invalid_unit"),
                                 **opts)
        if kind == "repeat":
            row = Schema.from_dict({f["name"]: self._field(f) for f in spec["fields"]})
            row_schema = type(f"{spec['name']}_row", (AnswersSchema, row), {})
            return fields.List(fields.Nested(row_schema), validate=_count(
                spec.get("min_items"), spec.get("max_items", DEFAULTS["repeat"])), **opts)
        if kind == "photo":
            item = fields.String(validate=validate.Regexp(SHA256, error="field.invalid_type"))
            return fields.List(item, validate=_count(None, spec.get("max_items",
                                                                    DEFAULTS["photo"])),
                               **opts)
        raise DefinitionError(f"{self.source}: unknown field type {kind!r}")

    @cached_property
    def schema(self) -> AnswersSchema:
        definition = self
        attrs = {f["name"]: self._field(f) for f in self.data["fields"]}

        @validates_schema(pass_original=True, skip_on_field_errors=False)
        def conditions(schema, data, original_data, **kwargs):
            messages = definition.condition_errors(original_data)
            if messages:
                raise ValidationError(messages)

        attrs["conditions"] = conditions
        cls = type(f"{self.form}_v{self.version}", (AnswersSchema,), attrs)
        return cls()

    def _schema_of(self, answers: dict) -> AnswersSchema:
        """The schema restricted to the questions answered (in the definition's order):
        every answer field has load_default None and requiredness is a condition (on the
        raw answers), so a question left out adds nothing but its cost (a fifth of the
        schema's work on the demo's records, nine answers of up to forty questions).
        Unknown keys stay errors: they are in no schema."""
        names = tuple(n for n in self._field_names if n in answers)
        if not names or len(names) == len(self._field_names):
            return self.schema
        schema = self._schemas.get(names)
        if schema is None:
            if len(self._schemas) >= 256:  # answer sets a phone sends are a few dozen
                self._schemas.clear()
            schema = self._schemas[names] = type(self.schema)(only=names)
        return schema

    @cached_property
    def _field_names(self) -> tuple[str, ...]:
        return tuple(f["name"] for f in self.data["fields"])

    @cached_property
    def _schemas(self) -> dict[tuple[str, ...], AnswersSchema]:
        return {}

    def condition_errors(self, answers: dict) -> dict:
        """`required`, `required_if`, `relevant` and the cross-field checks, evaluated
        on the raw answers as the browser sees them."""
        messages: dict = {}
        self._scope_errors(self._plan, answers, None, messages)
        for check, summed, total in self._checks:
            # Applies once the whole and at least one part are numbers; a part left
            # blank counts as 0.
            whole = answers.get(total)
            if not _is_number(whole):
                continue
            parts = [answers.get(n) for n in summed]
            numbers = [p for p in parts if _is_number(p)]
            if numbers and all(p is None or _is_number(p) for p in parts):
                if sum(numbers) > whole:
                    messages.setdefault(check["field"], []).append(check["code"])
        return messages

    @cached_property
    def _checks(self) -> tuple:
        return tuple((c, tuple(c["sum"]), c["lte"]) for c in self.data.get("checks", []))

    def _scope_errors(self, plan, scope: dict, top: dict | None, messages: dict) -> None:
        names = plan.names

        def lookup(name):
            if name not in names:
                return top.get(name)
            return scope.get(name)

        look = scope.get if top is None else lookup
        for name, relevant, required, required_if, rows, always in plan.steps:
            value = scope.get(name)
            answered = value is not None and is_answered(value)
            if not answered and not always:
                continue
            if relevant is not None and not relevant(look):
                if answered:
                    messages.setdefault(name, []).append("field.not_relevant")
                continue
            if (required or (required_if is not None and required_if(look))) \
                    and not answered:
                messages.setdefault(name, []).append("field.required")
            if rows is not None and isinstance(value, list):
                for index, row in enumerate(value):
                    if isinstance(row, dict):
                        row_messages: dict = {}
                        self._scope_errors(rows, row, scope, row_messages)
                        if row_messages:
                            bucket = messages.setdefault(f"{name}.{index}", {})
                            for key, codes in row_messages.items():
                                bucket.setdefault(key, []).extend(codes)

    @cached_property
    def _plan(self) -> _Scope:
        return _scope_plan(self.data["fields"])

    # The fast path of validate(): most records a phone sends are valid, and telling
    # that costs far less than marshmallow's load. _accepts(spec)(value) is True only
    # when the spec's marshmallow field would load the value without an error (None is
    # left out, as every answer field allows it); anything else, or anything unusual,
    # is False and the schema itself gives the errors.
    def _accepts(self, spec: dict):
        kind = spec["type"]
        if kind in ("text", "long_text"):
            limit = spec.get("max_length", DEFAULTS[kind])
            if "pattern" in spec:
                fullmatch = re.compile(spec["pattern"]).fullmatch
                return lambda v: type(v) is str and len(v) <= limit \
                    and fullmatch(v) is not None
            return lambda v: type(v) is str and len(v) <= limit
        if kind == "integer":
            lo, hi = spec.get("min"), spec.get("max", DEFAULT_INT_MAX)
            if lo is None:
                return lambda v: type(v) is int and not v > hi
            return lambda v: type(v) is int and not v < lo and not v > hi
        if kind == "date":
            return _is_date
        if kind == "select_one":
            choices = frozenset(self.choices(spec))
            return lambda v: type(v) is str and v in choices
        if kind == "select_multiple":
            choices = frozenset(self.choices(spec))
            counted = _counted(spec.get("min_items"), spec.get("max_items"))
            return lambda v: type(v) is list and all(
                type(x) is str and x in choices for x in v) \
                and len(set(v)) == len(v) and counted(v)
        if kind == "yes_no":
            return lambda v: v is True or v is False
        if kind == "unit":
            match = UNIT_CODE.match
            return lambda v: type(v) is str and match(v) is not None
        if kind == "repeat":
            row = {f["name"]: self._accepts(f) for f in spec["fields"]}
            counted = _counted(spec.get("min_items"), spec.get("max_items", DEFAULTS["repeat"]))
            return lambda v: type(v) is list and counted(v) and all(
                type(r) is dict and _all_accepted(row, r) for r in v)
        if kind == "photo":
            counted = _counted(None, spec.get("max_items", DEFAULTS["photo"]))
            match = SHA256.match
            return lambda v: type(v) is list and counted(v) and all(
                type(x) is str and match(x) is not None for x in v)
        raise DefinitionError(f"{self.source}: unknown field type {kind!r}")

    @cached_property
    def _accepted(self) -> dict:
        return {f["name"]: self._accepts(f) for f in self.data["fields"]}

    def _surely_valid(self, answers: dict) -> bool:
        """True only when the schema would load `answers` without an error."""
        try:
            return _all_accepted(self._accepted, answers) \
                and not self.condition_errors(answers)
        except Exception:  # noqa: BLE001  (the schema says what is wrong, or raises)
            return False

    def validate(self, answers, attachments=()) -> list[dict]:
        """[] when the answers are valid, else `[{field, code, message}]`."""
        if not isinstance(answers, dict):
            return field_errors({"answers": ["field.invalid_type"]})
        errors = []
        if not self._surely_valid(answers):
            try:
                self._schema_of(answers).load(answers)
            except ValidationError as err:
                errors = field_errors(err.messages)
        listed = set(attachments)
        for name in self.photo_fields():
            value = answers.get(name)
            if isinstance(value, list):
                for index, digest in enumerate(value):
                    if isinstance(digest, str) and SHA256.match(digest) and digest not in listed:
                        errors.extend(field_errors({f"{name}.{index}":
                                                    ["field.attachment_not_listed"]}))
        return errors


def check_definition(data: dict, source: str) -> None:
    """Refuse a definition that the validators could not evaluate the same way."""
    for key in ("form", "version", "title", "date_field", "unit_levels", "fields"):
        if key not in data:
            raise DefinitionError(f"{source}: missing {key!r}")
    lists = data.get("choice_lists", {})

    def walk(specs, outer: set[str]):
        names = [s["name"] for s in specs]
        if len(names) != len(set(names)):
            raise DefinitionError(f"{source}: duplicate field names in {names}")
        visible = outer | set(names)
        for spec in specs:
            if spec.get("type") not in FIELD_TYPES:
                raise DefinitionError(f"{source}: {spec.get('name')}: bad type")
            if "choices" in spec and spec["choices"] not in lists:
                raise DefinitionError(f"{source}: {spec['name']}: no list {spec['choices']}")
            for key in ("relevant", "required_if"):
                for ref in condition_fields(spec.get(key, {})):
                    if ref not in visible:
                        raise DefinitionError(f"{source}: {spec['name']}.{key}: no field {ref}")
            if spec["type"] == "repeat":
                walk(spec["fields"], visible)

    walk(data["fields"], set())
    top = {f["name"]: f for f in data["fields"]}
    date_spec = top.get(data["date_field"])
    if not date_spec or date_spec["type"] != "date" or not date_spec.get("required"):
        raise DefinitionError(f"{source}: date_field must name a required date field")
    for ref in condition_fields(data.get("review", {}).get("when", {})):
        if ref not in top:
            raise DefinitionError(f"{source}: review.when: no field {ref}")
    if "parent_form" in data and not isinstance(data["parent_form"], str):
        raise DefinitionError(f"{source}: parent_form must name a form")
    for check in data.get("checks", []):
        for ref in [*check["sum"], check["lte"], check["field"]]:
            if ref not in top:
                raise DefinitionError(f"{source}: check names unknown field {ref}")


@dataclass
class Registry:
    """Every definition a record may be filed on, by (form, version): the repo's files and
    the versions published on screen (form_versions). `superseded` holds, for a version
    whose successor was published on screen, when that successor was published: the start
    of the transition window in which the old version is still accepted for new records."""

    definitions: dict[tuple[str, int], FormDefinition]
    superseded: dict[tuple[str, int], datetime] = field(default_factory=dict)

    @classmethod
    def load(cls, directory: Path = DEFINITIONS_DIR) -> Registry:
        found = {}
        for path in sorted(directory.glob("*.json")):
            match = FILE_NAME.match(path.name)
            if not match:
                raise DefinitionError(f"{path.name}: name must be <form>.v<version>.json")
            raw = path.read_bytes()
            data = json.loads(raw)
            check_definition(data, path.name)
            if (data["form"], data["version"]) != (match["form"], int(match["version"])):
                raise DefinitionError(f"{path.name}: form/version differ from the file name")
            definition = FormDefinition(data, path.name, raw)
            definition.schema  # noqa: B018  (build now: a bad file fails at start-up)
            found[(definition.form, definition.version)] = definition
        return cls(found)

    def with_published(self, rows) -> Registry:
        """This registry plus published versions, `rows` of (FormDefinition, published_at)
        in version order. A file and a published row with the same number: the row wins
        (the records filed on that number were checked against it)."""
        found = dict(self.definitions)
        superseded: dict[tuple[str, int], datetime] = {}
        for definition, published_at in rows:
            key = (definition.form, definition.version)
            if key in self.definitions and self.definitions[key].digest != definition.digest:
                log.error("%s v%s: a file and a published version differ; the published "
                          "one is used", *key)
            for (form, version) in found:
                if form == definition.form and version < definition.version:
                    superseded.setdefault((form, version), published_at)
            found[key] = definition
        return Registry(found, superseded)

    def get(self, form: str, version: int) -> FormDefinition | None:
        return self.definitions.get((form, version))

    def has_form(self, form: str) -> bool:
        return any(f == form for f, _ in self.definitions)

    def versions(self, form: str) -> list[FormDefinition]:
        return sorted((d for (f, _), d in self.definitions.items() if f == form),
                      key=lambda d: d.version)

    def latest(self, form: str) -> FormDefinition | None:
        versions = self.versions(form)
        return versions[-1] if versions else None

    def current(self) -> list[FormDefinition]:
        latest: dict[str, FormDefinition] = {}
        for definition in self.definitions.values():
            known = latest.get(definition.form)
            if known is None or definition.version > known.version:
                latest[definition.form] = definition
        return sorted(latest.values(), key=lambda d: d.form)

    def accepted_until(self, form: str, version: int, grace: timedelta) -> datetime | None:
        """Until when a new record may still be filed on this version: None while it is
        the newest, or when its successor ships in the repo (then always, as before)."""
        start = self.superseded.get((form, version))
        return None if start is None else start + grace


def grace() -> timedelta:
    """How long a version is still accepted for new records once its successor is
    published on screen (CSLP_FORM_VERSION_GRACE_DAYS)."""
    return timedelta(days=int(current_app.config["FORM_VERSION_GRACE_DAYS"]))


def accepts_new_records(definition: FormDefinition, now: datetime) -> bool:
    """A new record (not a new revision of a stored one) may be filed on this version."""
    until = registry().accepted_until(definition.form, definition.version, grace())
    return until is None or now < until


def canonical_json(data: dict) -> bytes:
    """The bytes a published version is stored, served and hashed as."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, indent=2).encode()


_files: Registry | None = None
# Published definitions by their SHA-256: parsed and their schema built once per process.
_parsed: dict[str, FormDefinition] = {}
_merged: dict[tuple, Registry] = {}
# The same registries by the stamp of the form_versions rows they merged (published_stamp).
_by_stamp: dict[tuple, Registry] = {}


def repo_registry() -> Registry:
    """The definitions shipped in the repo (definitions/*.json), pinned by their hashes."""
    global _files
    if _files is None:
        _files = Registry.load()
    return _files


def _published_definition(form: str, version: int, digest: str, text: str) -> FormDefinition:
    definition = _parsed.get(digest)
    if definition is None:
        raw = text.encode()
        if hashlib.sha256(raw).hexdigest() != digest:
            raise DefinitionError(f"{form} v{version}: stored definition does not match its hash")
        data = json.loads(raw)
        check_definition(data, f"{form} v{version} (published)")
        definition = FormDefinition(data, f"{form} v{version} (published)", raw)
        definition.schema  # noqa: B018
        _parsed[digest] = definition
    return definition


@cache
def _published_query():
    """Every request that reads a definition runs it: built once, on the table (no ORM
    entity to load)."""
    from ...models.forms import FormVersion

    t = FormVersion.__table__.c
    return select(t.id, t.form, t.version, t.definition_hash, t.published_at).order_by(
        t.form, t.version)


@cache
def published_stamp() -> tuple:
    """Columns saying what form_versions holds: how many versions, the last one's id and
    its publishing time. The table is append-only (its triggers refuse UPDATE and
    DELETE), so they name its contents. A signed-in request's first query carries them
    (services/users.session_user: note_published_stamp), and registry() reads the table
    only when they name contents this process has not merged yet: one statement fewer
    for nearly every request, yet a version published through another server counts
    from that server's next request on."""
    from ...models.forms import FormVersion

    t = FormVersion.__table__.c
    return (select(func.count(t.id)).scalar_subquery(),
            select(func.max(t.id)).scalar_subquery(),
            select(func.max(t.published_at)).scalar_subquery())


def note_published_stamp(stamp: tuple) -> None:
    g.cslp_forms_published_stamp = tuple(stamp)


def _stamp_of(rows) -> tuple:
    return (len(rows), max((r.id for r in rows), default=None),
            max((r.published_at for r in rows), default=None))


def registry() -> Registry:
    """The repo's definitions plus those published on screen, read once per request (or
    per command) from form_versions, unless the request's stamp names contents merged
    already (published_stamp); outside an application only the repo's."""
    files = repo_registry()
    if not has_app_context():
        return files
    cached = g.get("cslp_forms_registry")
    if cached is not None:
        return cached
    stamped = _by_stamp.get(g.get("cslp_forms_published_stamp"))
    if stamped is not None:
        g.cslp_forms_registry = stamped
        return stamped
    from ...models.forms import FormVersion  # models import nothing from services

    rows = db.session.execute(_published_query()).all()
    key = tuple((r.form, r.version, r.definition_hash, r.published_at) for r in rows)
    merged = _merged.get(key)
    if merged is None:
        texts = dict(db.session.execute(
            select(FormVersion.definition_hash, FormVersion.definition)
            .where(FormVersion.definition_hash.not_in(list(_parsed)))).all()) if rows else {}
        merged = files.with_published(
            [(_published_definition(r.form, r.version, r.definition_hash,
                                    texts.get(r.definition_hash, "")), r.published_at)
             for r in rows])
        if len(_merged) > 64:
            _merged.clear()
        _merged[key] = merged
    if len(_by_stamp) > 64:
        _by_stamp.clear()
    _by_stamp[_stamp_of(rows)] = merged
    g.cslp_forms_registry = merged
    return merged


def forget_registry() -> None:
    """After a publish: read form_versions again next time (the request's stamp is of
    what it held before)."""
    if has_app_context():
        g.pop("cslp_forms_registry", None)
        g.pop("cslp_forms_published_stamp", None)
