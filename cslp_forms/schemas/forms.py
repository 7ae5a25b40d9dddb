"""Form definitions as served (the JSON files themselves; see definitions/README.md)."""

from marshmallow import fields

from .base import ApiSchema


class FormDefinitionSchema(ApiSchema):
    form = fields.String()
    version = fields.Integer()
    title = fields.Dict()
    date_field = fields.String()
    unit_levels = fields.List(fields.String())
    sensitive = fields.Boolean()
    choice_lists = fields.Dict()
    fields_ = fields.List(fields.Dict(), data_key="fields")
    checks = fields.List(fields.Dict())
    plain_fields = fields.List(fields.String(), metadata={
        "description": "a sensitive form's answers kept readable for statistics"})
    review = fields.Dict(metadata={"description": "the approval chain: {chain: [level, …]}; "
                                                  "an entry form's `when` (a condition) says "
                                                  "which entries go up it"})
    parent_form = fields.String(metadata={
        "description": "an entry form: its records are entries on an approved record of "
                       "this form (`incident`, `model_group`), sent with `parent`"})


class FormListSchema(ApiSchema):
    forms = fields.List(fields.Nested(FormDefinitionSchema))


class AttachmentStoredSchema(ApiSchema):
    sha256 = fields.String()
    stored = fields.Boolean()
