"""Query parameters and bodies of /api/reports, and the shapes of its answers."""

from marshmallow import fields, validate

from ..models import LEVELS, STATUSES
from ..services.base.forms import registry
from ..services.base.periods import EXPORT_PATTERN, PERIOD_PATTERN
from .base import ApiSchema, FieldErrorSchema

YEAR = validate.Range(min=2000, max=2100, error="field.invalid")
INDICATOR = validate.Regexp(r"^K(0[1-9]|1[0-4])$", error="field.not_a_choice")
FORMS = tuple(d.form for d in registry().current())


class IndicatorArgsSchema(ApiSchema):
    unit = fields.String(validate=validate.Length(max=10))
    year = fields.Integer(required=True, validate=YEAR)
    period = fields.String(validate=validate.Regexp(PERIOD_PATTERN, error="field.invalid"))
    union_cutoff = fields.Boolean(load_default=False)
    include_pending = fields.Boolean(load_default=False)


class RecordsArgsSchema(IndicatorArgsSchema):
    indicator = fields.String(validate=INDICATOR)
    limit = fields.Integer(load_default=100, validate=validate.Range(
        min=1, max=500, error="field.invalid"))
    offset = fields.Integer(load_default=0, validate=validate.Range(
        min=0, max=10**6, error="field.invalid"))


class TargetArgsSchema(ApiSchema):
    unit = fields.String(validate=validate.Length(max=10))
    year = fields.Integer(validate=YEAR)


class JsonNumber(fields.Float):
    """A JSON number: "4" (a string) or true is a type error, not a number."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class TargetPathSchema(ApiSchema):
    year = fields.Integer(required=True, strict=True, validate=YEAR)


class TargetDetailSchema(ApiSchema):
    """What the indicators read from a target: the places a supervision target names
    (K03, unit codes) and the levels the Law Day rule covers (K02)."""

    places = fields.List(fields.String(validate=validate.Length(
        min=1, max=10, error="field.invalid_unit")), validate=validate.Length(
        max=100, error="field.too_many"))
    levels = fields.List(fields.String(validate=validate.OneOf(
        LEVELS, error="field.not_a_choice")), validate=validate.Length(
        max=len(LEVELS), error="field.too_many"))


class TargetBodySchema(ApiSchema):
    value = JsonNumber(required=True, allow_nan=False, validate=validate.Range(
        min=0, max=10**7, error="field.invalid"))
    basis = fields.String(validate=validate.OneOf(
        ("count", "percent", "per_unit_month"), error="field.not_a_choice"))
    detail = fields.Nested(TargetDetailSchema, allow_none=True)
    note = fields.String(allow_none=True, validate=validate.Length(
        max=500, error="field.too_long"))


class ExportArgsSchema(ApiSchema):
    form = fields.String(required=True, validate=validate.OneOf(
        FORMS, error="field.not_a_choice"))
    format = fields.String(load_default="xlsx", validate=validate.OneOf(
        ("csv", "xlsx"), error="field.not_a_choice"))
    unit = fields.String(validate=validate.Length(max=10))
    period = fields.String(validate=validate.Regexp(EXPORT_PATTERN, error="field.invalid"))
    status = fields.String(validate=validate.OneOf(STATUSES, error="field.not_a_choice"))
    union_cutoff = fields.Boolean(load_default=False)


class YearEndArgsSchema(ApiSchema):
    unit = fields.String(validate=validate.Length(max=10))
    year = fields.Integer(required=True, validate=YEAR)
    include_pending = fields.Boolean(load_default=False)


class IndicatorSchema(ApiSchema):
    code = fields.String()
    label = fields.String()
    label_en = fields.String()
    item = fields.String(metadata={"description": "the plan item (II.1 … II.10, III.2)"})
    incident = fields.Boolean(metadata={"description": "counted from case records"})
    available = fields.Boolean(metadata={"description": "false: no figures for it yet"})
    unavailable_reason = fields.String()
    actual = fields.Raw(metadata={"description": "a number, null, or '<5' / '*' when "
                                                 "hidden to protect survivors"})
    target = fields.Float(allow_none=True)
    target_basis = fields.String()
    target_note = fields.String(allow_none=True)
    target_source = fields.String(allow_none=True)
    progress = fields.Float(allow_none=True)
    parts = fields.List(fields.Dict())
    units = fields.List(fields.Dict(), metadata={"description": "the units behind it"})
    consent_only = fields.Boolean(metadata={"description": "counts only cases whose "
                                                           "survivor consented to reporting"})
    places = fields.List(fields.Dict(), metadata={"description": "K03: each place named by "
                                                                 "the target, done or not"})
    by_type = fields.List(fields.Dict(), metadata={"description": "K05: models by type"})


class IndicatorsSchema(ApiSchema):
    unit = fields.Dict()
    path = fields.List(fields.Dict())
    children = fields.List(fields.Dict())
    period = fields.Dict()
    statuses = fields.List(fields.String())
    include_pending = fields.Boolean()
    generated_at = fields.String()
    indicators = fields.List(fields.Nested(IndicatorSchema))
    law_day = fields.Dict(allow_none=True)


class ReportRecordsSchema(ApiSchema):
    unit = fields.Dict()
    period = fields.Dict()
    indicator = fields.String(allow_none=True)
    records = fields.List(fields.Dict())
    total = fields.Integer()


class TargetSchema(ApiSchema):
    indicator = fields.String()
    year = fields.Integer()
    unit = fields.Dict()
    basis = fields.String()
    value = fields.Float()
    detail = fields.Dict()
    note = fields.String(allow_none=True)
    source = fields.String(allow_none=True)
    label = fields.String()
    updated_by = fields.String(allow_none=True)
    updated_at = fields.String()


class TargetListSchema(ApiSchema):
    unit = fields.Dict()
    year = fields.Integer(allow_none=True)
    years = fields.List(fields.Integer())
    targets = fields.List(fields.Nested(TargetSchema))


class PlanCopySchema(ApiSchema):
    unit = fields.String(validate=validate.Length(min=1, max=10, error="field.invalid"))
    from_year = fields.Integer(required=True, strict=True, validate=YEAR)
    to_year = fields.Integer(required=True, strict=True, validate=YEAR)


class PlanCopiedSchema(ApiSchema):
    unit = fields.Dict()
    from_year = fields.Integer()
    to_year = fields.Integer()
    created = fields.List(fields.String(), metadata={"description": "indicators copied"})
    kept = fields.List(fields.String(), metadata={"description": "already set, kept"})


class PlanSheetArgsSchema(ApiSchema):
    unit = fields.String(validate=validate.Length(max=10))


class PlanImportArgsSchema(ApiSchema):
    unit = fields.String(validate=validate.Length(max=10))
    dry_run = fields.Boolean(load_default=False)


class PlanRowSchema(ApiSchema):
    row = fields.Integer(metadata={"description": "the sheet's row number"})
    indicator = fields.String(allow_none=True)
    status = fields.String(validate=validate.OneOf(
        ("created", "changed", "unchanged", "empty", "error")))
    errors = fields.List(fields.Nested(FieldErrorSchema))


class PlanImportSchema(ApiSchema):
    unit = fields.Dict()
    year = fields.Integer()
    dry_run = fields.Boolean()
    rows = fields.List(fields.Nested(PlanRowSchema))
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
