"""Unit pickers."""

from marshmallow import fields

from .base import ApiSchema


class UnitListArgsSchema(ApiSchema):
    parent = fields.String()
    on = fields.Date()


class UnitSchema(ApiSchema):
    code = fields.String()
    name = fields.String()
    level = fields.String()
    valid_from = fields.Date()
    valid_to = fields.Date(allow_none=True)
    parent_code = fields.Method("get_parent_code")

    def get_parent_code(self, unit):
        return unit.parent.code if unit.parent else None


class UnitListSchema(ApiSchema):
    units = fields.List(fields.Nested(UnitSchema))
