"""Unit pickers."""

from marshmallow import fields, validate

from .base import ApiSchema


class UnitListArgsSchema(ApiSchema):
    parent = fields.String()
    on = fields.Date()
    depth = fields.Integer(load_default=1, validate=validate.Range(
        min=1, max=2, error="field.invalid"), metadata={
            "description": "2: each unit also with its own `children` (one request for a "
                           "phone's whole picker tree instead of one per district)"})


class UnitSchema(ApiSchema):
    code = fields.String()
    name = fields.String()
    level = fields.String()
    valid_from = fields.Date()
    valid_to = fields.Date(allow_none=True)
    parent_code = fields.Method("get_parent_code")

    def get_parent_code(self, unit):
        return unit.parent.code if unit.parent else None


class UnitWithChildrenSchema(UnitSchema):
    children = fields.List(fields.Nested(UnitSchema), metadata={"description": "depth=2"})


class UnitListSchema(ApiSchema):
    units = fields.List(fields.Nested(UnitWithChildrenSchema))
