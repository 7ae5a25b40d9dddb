"""GET /api/openapi.json: OpenAPI 3 built by apispec from the marshmallow schemas. Each
endpoint is listed once below; tests/api/test_openapi.py fails when a route is missing."""

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, current_app

from .schemas.auth import LoginSchema, MeSchema, PasswordSchema, UserListSchema, UserSchema
from .schemas.base import ProblemSchema
from .schemas.forms import AttachmentStoredSchema, FormDefinitionSchema, FormListSchema
from .schemas.notifications import (
    NotificationListSchema,
    ReadSchema,
    SubscriptionSchema,
    UnsubscribeSchema,
    VapidKeySchema,
)
from .schemas.privacy import AccessListSchema, AccountAuditListSchema, RecoveryKeySchema
from .schemas.reminders import (
    NudgeSchema,
    OverdueSchema,
    RuleListSchema,
    RuleSchema,
    RuleUpdateSchema,
)
from .schemas.reports import (
    IndicatorsSchema,
    ReportRecordsSchema,
    TargetBodySchema,
    TargetListSchema,
    TargetSchema,
)
from .schemas.review import (
    BulkApproveSchema,
    BulkResultSchema,
    CompletenessSchema,
    DecisionSchema,
    HistorySchema,
    QueueSchema,
)
from .schemas.sync import (
    ChangesResponseSchema,
    RecordDetailSchema,
    SyncBatchSchema,
    SyncItemSchema,
    SyncResponseSchema,
)
from .schemas.units import UnitListSchema
from .schemas.users import UserCreateSchema, UserUpdateSchema

bp = Blueprint("openapi", __name__)

JSON = "application/json"
PROBLEM = {"description": "problem", "content": {
    "application/problem+json": {"schema": "Problem"}}}


def _op(summary, *, body=None, ok=None, ok_status="200", params=(), errors=(400, 401),
        content=JSON):
    op = {"summary": summary, "parameters": list(params),
          "responses": {str(code): PROBLEM for code in errors}}
    if body is not None:
        op["requestBody"] = {"required": True, "content": {content: {"schema": body}}}
    for status in (ok_status,) if isinstance(ok_status, str) else ok_status:
        op["responses"][status] = {"description": "ok"}
        if ok is not None:
            op["responses"][status]["content"] = {JSON: {"schema": ok}}
    return op


def _q(name, description, schema_type="string"):
    return {"in": "query", "name": name, "description": description,
            "schema": {"type": schema_type}}


def _p(name, schema_type="string"):
    schema = {"type": schema_type}
    if name == "uuid":
        schema["format"] = "uuid"
    return {"in": "path", "name": name, "required": True, "schema": schema}


def _with(op, responses):
    return {**op, "responses": {**op["responses"], **responses}}


REPORT_PARAMS = [_q("unit", "unit code (default: her own)"), _q("year", "YYYY", "integer"),
                 _q("period", "year (default), Q1-Q4, H1, 9M or YYYY-MM"),
                 _q("union_cutoff", "true: the union's 15th-to-14th periods", "boolean"),
                 _q("include_pending", "true: count records still in review too", "boolean")]

NOT_MODIFIED = {"304": {"description": "not modified (If-None-Match matched the ETag)"}}
WRITES = ("post", "put", "patch", "delete")

PATHS = {
    "/api/auth/login": {"post": _op("Sign in; sets the session cookie", body=LoginSchema,
                                    ok=MeSchema, errors=(400, 401, 429))},
    "/api/auth/logout": {"post": _op("Sign out", errors=(401, 403))},
    "/api/auth/me": {"get": _op("The signed-in user, unit path and CSRF token", ok=MeSchema,
                                errors=(401,))},
    "/api/units": {"get": _op("Children of a unit valid on a date", ok=UnitListSchema,
                              params=[_q("parent", "unit code"), _q("on", "YYYY-MM-DD")],
                              errors=(400, 401, 404))},
    "/api/users": {
        "get": _op("Accounts of the administrator's subtree", ok=UserListSchema,
                   params=[_q("unit", "unit code")], errors=(400, 401, 403, 404)),
        "post": _op("Create an account", body=UserCreateSchema, ok=UserSchema,
                    ok_status="201", errors=(400, 401, 403, 404, 409)),
    },
    "/api/users/{username}": {"patch": _op(
        "Change an account (not one's own role or incident permission; 409 when it would "
        "leave the province without an active administrator)", body=UserUpdateSchema,
        ok=UserSchema, params=[_p("username")], errors=(400, 401, 403, 404, 409))},
    "/api/forms": {"get": _with(_op("Current form definitions (ETag; 304 on If-None-Match)",
                                    ok=FormListSchema, errors=()), NOT_MODIFIED)},
    "/api/forms/{form}/{version}": {"get": _with(_op(
        "One published definition (ETag; 304 on If-None-Match)", ok=FormDefinitionSchema,
        params=[_p("form"), _p("version", "integer")], errors=(404,)), NOT_MODIFIED)},
    "/api/sync": {"post": _op(
        "Send a batch of at most 100 records; one result per item, in order",
        body=SyncBatchSchema, ok=SyncResponseSchema, errors=(400, 401, 403, 413))},
    "/api/sync/changes": {"get": _op(
        "What changed in the caller's scope since a cursor", ok=ChangesResponseSchema,
        params=[_q("cursor", "opaque cursor from the last answer"),
                _q("limit", "1-500", "integer")], errors=(400, 401))},
    "/api/attachments/{sha256}": {
        "put": _op("Upload a photo (JPEG, PNG or WebP, at most 5 MB) under its SHA-256",
                   body={"type": "string", "format": "binary"}, ok=AttachmentStoredSchema,
                   ok_status=("201", "200"), params=[_p("sha256")],
                   errors=(400, 401, 403, 413, 415),
                   content="application/octet-stream"),
        "get": {**_op("Download a photo", params=[_p("sha256")], errors=(400, 401, 404)),
                "responses": {"200": {"description": "the image"},
                              "404": PROBLEM, "401": PROBLEM, "400": PROBLEM}},
    },
    "/api/review/{uuid}/decisions": {"post": _op(
        "Approve, return (comment required) or reject a record at its current revision",
        body=DecisionSchema, ok=RecordDetailSchema, params=[_p("uuid")],
        errors=(400, 401, 403, 404, 409))},
    "/api/review/decisions": {"post": _op("Approve several records at once",
                                          body=BulkApproveSchema, ok=BulkResultSchema,
                                          errors=(400, 401))},
    "/api/review/queue": {"get": _op(
        "Records of the caller's subtree, those awaiting her decision first (routine "
        "entries on cases and groups, approved at once, only when `form` names their "
        "entry form)", ok=QueueSchema,
        params=[_q("unit", "unit code"), _q("form", "form"), _q("status", "status"),
                _q("period", "YYYY-MM"), _q("limit", "1-200", "integer"),
                _q("offset", "0-", "integer")], errors=(400, 401, 403, 404))},
    "/api/review/completeness": {"get": _op(
        "For a month: what each commune has sent, and which sent nothing",
        ok=CompletenessSchema, params=[_q("period", "YYYY-MM"), _q("unit", "unit code")],
        errors=(400, 401, 403, 404))},
    "/api/submissions/{uuid}": {"get": _op(
        "One record with its approval chain (403 incident.not_permitted: a case record "
        "she may see listed but not read)", ok=RecordDetailSchema, params=[_p("uuid")],
        errors=(401, 403, 404))},
    "/api/submissions/{uuid}/history": {"get": _op(
        "Every revision (with a field-level diff) and every decision", ok=HistorySchema,
        params=[_p("uuid")], errors=(401, 403, 404))},
    "/api/auth/recovery-key": {"post": _op(
        "The secret that wraps her phone's incident key; needs her password again",
        body=PasswordSchema, ok=RecoveryKeySchema, errors=(400, 401, 403, 429))},
    "/api/audit/access": {"get": _op(
        "Search the access log of sensitive records (province administrator)",
        ok=AccessListSchema, params=[_q("record", "uuid"), _q("user", "username"),
                                     _q("from", "ISO 8601"), _q("to", "ISO 8601"),
                                     _q("limit", "1-1000", "integer")],
        errors=(400, 401, 403))},
    "/api/audit/accounts": {"get": _op(
        "What administrators changed about accounts: passwords, roles, the incident "
        "permission, activation, units (province administrator)",
        ok=AccountAuditListSchema, params=[_q("user", "username"), _q("from", "ISO 8601"),
                                           _q("to", "ISO 8601"),
                                           _q("limit", "1-1000", "integer")],
        errors=(400, 401, 403))},
    "/api/push/vapid-public-key": {"get": _op("The VAPID key for pushManager.subscribe",
                                              ok=VapidKeySchema, errors=())},
    "/api/push/subscriptions": {
        "post": _op("Store this device's PushSubscription.toJSON()", body=SubscriptionSchema,
                    ok_status="201", errors=(400, 401, 403)),
        "delete": _op("Forget this device", body=UnsubscribeSchema, errors=(400, 401, 403)),
    },
    "/api/notifications": {"get": _op("Her notifications, newest first (in-app)",
                                      ok=NotificationListSchema, errors=(401,))},
    "/api/notifications/read": {"post": _op("Mark notifications read", body=ReadSchema,
                                            errors=(400, 401, 403))},
    "/api/reminders/rules": {"get": _op("Deadline rules", ok=RuleListSchema,
                                        errors=(401,))},
    "/api/reminders/rules/{code}": {"patch": _op(
        "Edit a deadline rule (province administrator)", body=RuleUpdateSchema, ok=RuleSchema,
        params=[_p("code")], errors=(400, 401, 403, 404))},
    "/api/reminders/compliance": {"get": _op(
        "Each unit's standing on a rule for the current period", params=[
            _q("rule", "rule code"), _q("unit", "unit code"), _q("on", "YYYY-MM-DD")],
        errors=(400, 401, 403, 404))},
    "/api/reminders/overdue": {"get": _op(
        "The supervisor's overdue lists: open cases with no entry for 30 days, active model "
        "groups with no meeting this quarter (from their timelines; no case details)",
        ok=OverdueSchema, params=[_q("unit", "unit code (default: her own)"),
                                  _q("on", "YYYY-MM-DD (default: today)")],
        errors=(400, 401, 403, 404))},
    "/api/reminders/nudge": {"post": _op("Remind the officers of some units now",
                                         body=NudgeSchema, errors=(400, 401, 403, 404))},
    "/api/reports/indicators": {"get": _op(
        "Indicators K01–K14 of a unit's subtree for a period, against the plan's targets, "
        "with the units behind each", ok=IndicatorsSchema, params=REPORT_PARAMS,
        errors=(400, 401, 403, 404))},
    "/api/reports/records": {"get": _op(
        "The records an indicator counts (activities and models; never case records)",
        ok=ReportRecordsSchema,
        params=[*REPORT_PARAMS, _q("indicator", "K01-K13"), _q("limit", "1-500", "integer"),
                _q("offset", "0-", "integer")], errors=(400, 401, 403, 404))},
    "/api/reports/targets": {"get": _op(
        "A unit's targets (all years, or one)", ok=TargetListSchema,
        params=[_q("unit", "unit code"), _q("year", "YYYY", "integer")],
        errors=(400, 401, 403, 404))},
    "/api/reports/targets/{year}/{unit}/{indicator}": {
        "put": _op("Set a target (administrator)", body=TargetBodySchema, ok=TargetSchema,
                   params=[_p("year", "integer"), _p("unit"), _p("indicator")],
                   errors=(400, 401, 403, 404)),
        "delete": _op("Remove a target (administrator)", ok_status="204",
                      params=[_p("year", "integer"), _p("unit"), _p("indicator")],
                      errors=(401, 403, 404)),
    },
    "/api/reports/export": {"get": {**_op(
        "One form's records as CSV or XLSX with Vietnamese headers; case exports leave out "
        "free text unless privileged, and are logged",
        params=[_q("form", "activity, model_group or incident"), _q("format", "csv or xlsx"),
                _q("unit", "unit code"), _q("period", "YYYY, YYYY-MM, YYYY-Q1…Q4, YYYY-H1"),
                _q("status", "submitted, in_review, approved, returned or rejected"),
                _q("union_cutoff", "true: the union's 15th-to-14th periods", "boolean")],
        errors=(400, 401, 403, 404)), "responses": {
            "200": {"description": "the file", "content": {
                "text/csv": {}, "application/vnd.openxmlformats-officedocument."
                                "spreadsheetml.sheet": {}}},
            "400": PROBLEM, "401": PROBLEM, "403": PROBLEM, "404": PROBLEM}}},
    "/api/reports/year-end": {"get": {**_op(
        "The year-end report (.docx, Vietnamese): the plan's ten items with their figures, "
        "targets against actuals, units that missed the monthly Law Day activity",
        params=[_q("unit", "unit code"), _q("year", "YYYY", "integer"),
                _q("include_pending", "true: count records still in review too", "boolean")],
        errors=(400, 401, 403, 404)), "responses": {
            "200": {"description": "the document", "content": {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {}}},
            "400": PROBLEM, "401": PROBLEM, "403": PROBLEM, "404": PROBLEM}}},
    "/api/openapi.json": {"get": _op("This document", errors=())},
}


def _every_answer(path: str, method: str, op: dict) -> dict:
    """The answers any operation can give besides its own: 400 for text no database can
    store in the URL (checked before every /api request), 503 when the database is busy
    or away (retry later), and for a write 413 (a body over CSLP_MAX_CONTENT_LENGTH) and,
    once signed in, 403 (a missing or wrong X-CSRF-Token)."""
    extra = [400]
    if path != "/api/openapi.json":
        extra.append(503)
    if method in WRITES:
        extra.append(413)
        if "401" in op["responses"]:
            extra.append(403)
    responses = {str(code): PROBLEM for code in extra}
    return {**op, "responses": {**responses, **op["responses"]}}


def build_spec() -> dict:
    spec = APISpec(title="cslp_forms API", version="1", openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin()],
                   info={"description": "Sổ CSLP: records of the Sóc Trăng Women's Union "
                                        "Policy–Law work. Errors are application/problem+json."})
    spec.components.schema("Problem", schema=ProblemSchema)
    spec.components.schema("SyncItem", schema=SyncItemSchema)
    spec.components.security_scheme("session", {"type": "apiKey", "in": "cookie",
                                                "name": "cslp_session"})
    for path, operations in PATHS.items():
        spec.path(path=path, operations={m: _every_answer(path, m, op)
                                         for m, op in operations.items()})
    return spec.to_dict()


@bp.get("/openapi.json")
def openapi_document():
    if "openapi" not in current_app.extensions:
        current_app.extensions["openapi"] = build_spec()
    return current_app.extensions["openapi"]
