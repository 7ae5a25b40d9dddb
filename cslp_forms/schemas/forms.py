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


class AcceptedVersionSchema(ApiSchema):
    form = fields.String()
    version = fields.Integer()
    current = fields.Boolean()
    until = fields.String(allow_none=True, metadata={
        "description": "end of the transition window (UTC); null: no end"})


class FormListSchema(ApiSchema):
    forms = fields.List(fields.Nested(FormDefinitionSchema),
                        metadata={"description": "the current version of each form"})
    accepted = fields.List(fields.Nested(AcceptedVersionSchema), metadata={
        "description": "every version new records are still accepted on (an older one "
                       "until the end of its transition window); a phone keeps these "
                       "definitions for its drafts (GET /api/forms/{form}/{version})"})


class FormChangePlanSchema(ApiSchema):
    form = fields.String()
    base_version = fields.Integer()
    version = fields.Integer(metadata={"description": "the version publishing would make"})
    changes = fields.List(fields.String(), metadata={"description": "in plain Vietnamese"})
    refusals = fields.List(fields.Dict(), metadata={
        "description": "[{field, code, message}]: what stops publishing"})


class FormVersionSchema(ApiSchema):
    form = fields.String()
    version = fields.Integer()
    base_version = fields.Integer()
    definition_hash = fields.String()
    published_at = fields.String()
    published_by = fields.String(allow_none=True)
    changes = fields.List(fields.String())
    definition = fields.Nested(FormDefinitionSchema)


class FormVersionEntrySchema(ApiSchema):
    actor = fields.String()
    action = fields.String()
    target = fields.String()
    at = fields.String()
    before = fields.Dict()
    after = fields.Dict()


class FormVersionListSchema(ApiSchema):
    entries = fields.List(fields.Nested(FormVersionEntrySchema))


class AttachmentStoredSchema(ApiSchema):
    sha256 = fields.String()
    stored = fields.Boolean()
