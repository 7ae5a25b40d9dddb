"""Deadline rules, compliance and nudges."""

import re

from marshmallow import ValidationError, fields, validate

from ..services.base.periods import month_end
from .base import ApiSchema


def _month_day(value: str) -> None:
    """MM-DD of a day that exists in some year (29/2 does: it falls back to 28/2)."""
    if not re.fullmatch(r"(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])", value or ""):
        raise ValidationError("field.invalid")
    month, day = map(int, value.split("-"))
    if day > month_end(2024, month).day:  # a leap year: every MM-DD there is
        raise ValidationError("field.invalid")


MD = _month_day


class RuleSchema(ApiSchema):
    code = fields.String()
    title = fields.String()
    basis = fields.String(allow_none=True)
    form = fields.String()
    condition = fields.Dict(allow_none=True)
    period_field = fields.String(allow_none=True)
    unit_levels = fields.List(fields.String())
    period_type = fields.String()
    due_offset_days = fields.Integer()
    due_md = fields.String(allow_none=True)
    start_md = fields.String(allow_none=True)
    end_md = fields.String(allow_none=True)
    reminder_days = fields.List(fields.Integer())
    active = fields.Boolean()


class RuleListSchema(ApiSchema):
    rules = fields.List(fields.Nested(RuleSchema))


class RuleUpdateSchema(ApiSchema):
    title = fields.String(validate=validate.Length(min=1, max=200, error="field.too_long"))
    due_offset_days = fields.Integer(strict=True, validate=validate.Range(
        min=-31, max=90, error="field.invalid"))
    due_md = fields.String(validate=MD)
    start_md = fields.String(validate=MD)
    end_md = fields.String(validate=MD)
    reminder_days = fields.List(fields.Integer(strict=True, validate=validate.Range(
        min=-1, max=60, error="field.invalid")), validate=validate.Length(max=10))
    active = fields.Boolean()


class ComplianceArgsSchema(ApiSchema):
    rule = fields.String(required=True)
    unit = fields.String()
    on = fields.Date()


class OverdueArgsSchema(ApiSchema):
    unit = fields.String()
    on = fields.Date()


def _nudgeable() -> fields.Boolean:
    return fields.Boolean(metadata={
        "description": "whether a nudge (POST /api/reminders/overdue/nudge) would reach "
                       "anyone: its worker's account is active, or the unit holding it has "
                       "an active officer; false: the nudge answers 409 followup.nobody"})


class OverdueCaseSchema(ApiSchema):
    uuid = fields.String()
    unit = fields.Dict(metadata={"description": "the unit holding it"})
    record_date = fields.String()
    status = fields.String()
    last_entry_date = fields.String(allow_none=True)
    days_without_entry = fields.Integer()
    next_followup_date = fields.String(allow_none=True)
    worker = fields.String(allow_none=True)
    nudgeable = _nudgeable()


class OverdueGroupSchema(ApiSchema):
    uuid = fields.String()
    unit = fields.Dict()
    name = fields.String(allow_none=True)
    model_type = fields.String(allow_none=True)
    status = fields.String()
    last_meeting_date = fields.String(allow_none=True)
    meetings_this_quarter = fields.Integer()
    nudgeable = _nudgeable()


class OverdueSchema(ApiSchema):
    unit = fields.Dict()
    on = fields.String()
    stale_days = fields.Integer()
    cases = fields.List(fields.Nested(OverdueCaseSchema), metadata={
        "description": "open cases with no entry for `stale_days` days (never details)"})
    groups = fields.List(fields.Nested(OverdueGroupSchema), metadata={
        "description": "active groups with no meeting logged this quarter"})


class NudgeSchema(ApiSchema):
    rule = fields.String(required=True)
    units = fields.List(fields.String(), required=True,
                        validate=validate.Length(min=1, max=200, error="field.too_many"))


class FollowupNudgeSchema(ApiSchema):
    uuid = fields.UUID(required=True, metadata={
        "description": "a case or group of her overdue lists (GET /api/reminders/overdue)"})


class FollowupNudgedSchema(ApiSchema):
    notified = fields.Integer(metadata={
        "description": "people reminded now; 0: they were already reminded of it today"})
    message = fields.String(metadata={"description": "the text they received"})


class DueItemSchema(ApiSchema):
    rule = fields.String()
    title = fields.String()
    form = fields.String()
    due = fields.String()
    state = fields.String()


class DueListSchema(ApiSchema):
    due = fields.List(fields.Nested(DueItemSchema))
