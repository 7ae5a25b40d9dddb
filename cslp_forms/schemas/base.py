"""The base schema: unknown keys are errors, and every error message is a stable code
(`field.required`, `field.invalid_type`, …) that problems.field_errors turns into
`[{field, code, message}]`."""

from flask import request
from marshmallow import RAISE, Schema, ValidationError, fields, validate

from ..problems import Problem, field_errors, has_bad_text, say

# marshmallow's error keys -> our codes. Anything else becomes field.invalid.
ERROR_CODES = {
    "required": "field.required",
    "null": "field.null",
    "invalid": "field.invalid_type",
    "type": "field.invalid_type",
    "invalid_uuid": "field.invalid_type",
    "invalid_awareness": "field.invalid_type",
    "format": "field.invalid_type",
    "too_large": "field.invalid_type",
    "special": "field.invalid_type",
    "invalid_utf8": "field.invalid_type",
}

# An id or a count that lands in an `integer` column: 32-bit on PostgreSQL (64 on SQLite),
# so the smaller bound serves both; a larger number is a field error, never a database
# error (SQLite cannot even bind an int past 2^63).
DB_INT = validate.Range(min=1, max=2**31 - 1, error="field.invalid")


class ApiSchema(Schema):
    class Meta:
        unknown = RAISE

    error_messages = {"unknown": "field.unknown", "type": "request.malformed"}

    def on_bind_field(self, field_name, field_obj):
        field_obj.error_messages = {
            key: ERROR_CODES.get(key, "field.invalid") for key in field_obj.error_messages
        }


def load_json(schema: Schema, *, data=None, check_text: bool = True):
    """Parse the request body with `schema`: 400 request.malformed when it is not a JSON
    object (or holds text no database can store), 400 request.invalid with per-field
    errors when a field is wrong."""
    if data is None:
        data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise Problem("request.malformed", say("request.not_object"))
    if check_text and has_bad_text(data):
        raise Problem("request.malformed", say("request.bad_text"))
    try:
        return schema.load(data)
    except ValidationError as err:
        raise Problem("request.invalid", errors=field_errors(err.messages)) from None


def load_path(schema: Schema, **values):
    """Check what the URL's own parts carried (werkzeug's `int` takes any size), 400
    request.invalid on a bad one."""
    try:
        return schema.load(values)
    except ValidationError as err:
        raise Problem("request.invalid", errors=field_errors(err.messages)) from None


def load_args(schema: Schema):
    """Parse query parameters with `schema` (400 request.invalid on a bad one)."""
    try:
        return schema.load(request.args.to_dict())
    except ValidationError as err:
        raise Problem("request.invalid", errors=field_errors(err.messages)) from None


class FieldErrorSchema(Schema):
    field = fields.String(metadata={"description": "dotted path, e.g. services.0.status"})
    code = fields.String(metadata={"description": "stable code, e.g. field.required"})
    message = fields.String()


class ProblemSchema(Schema):
    """application/problem+json (RFC 9457) with our stable `code`."""

    type = fields.String()
    code = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String()
    errors = fields.List(fields.Nested(FieldErrorSchema))
    # What some problems add for the client to act on.
    retry_after = fields.Integer(metadata={"description": "seconds; also in Retry-After"})
    status_now = fields.String(metadata={"description": "review.invalid_transition: the "
                                                        "record's state now"})
    revision_now = fields.Integer(metadata={"description": "review.stale: the record's "
                                                           "revision now"})
    max_bytes = fields.Integer(metadata={"description": "attachment.too_large: the limit"})
    max_items = fields.Integer(metadata={"description": "sync.batch_too_large: the limit"})
    changes = fields.List(fields.String(), metadata={
        "description": "form.change_refused: the changes in plain words (Vietnamese)"})
