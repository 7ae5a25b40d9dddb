"""GET /api/openapi.json: OpenAPI 3 built by apispec from the marshmallow schemas. Each
endpoint is listed once below; tests/api/test_openapi.py fails when a route is missing."""

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, current_app

from .schemas.auth import (
    LoginSchema,
    MeSchema,
    NewPasswordSchema,
    PasswordSchema,
    SignInCodeSchema,
    UserListSchema,
    UserSchema,
)
from .schemas.base import ProblemSchema
from .schemas.devices import (
    DeviceListSchema,
    DeviceNudgedSchema,
    DeviceNudgeSchema,
    DeviceReportedSchema,
    HealthReportSchema,
)
from .schemas.forms import (
    AttachmentStoredSchema,
    FormChangePlanSchema,
    FormDefinitionSchema,
    FormListSchema,
    FormVersionListSchema,
    FormVersionSchema,
)
from .schemas.notifications import (
    NotificationListSchema,
    ReadSchema,
    SubscriptionSchema,
    UnsubscribeSchema,
    VapidKeySchema,
)
from .schemas.privacy import (
    AccessListSchema,
    AccountAuditListSchema,
    AdminAuditListSchema,
    RecoveryKeySchema,
)
from .schemas.reminders import (
    DueListSchema,
    FollowupNudgedSchema,
    FollowupNudgeSchema,
    NudgeSchema,
    OverdueSchema,
    RuleListSchema,
    RuleSchema,
    RuleUpdateSchema,
)
from .schemas.reports import (
    IndicatorsSchema,
    PlanCopiedSchema,
    PlanCopySchema,
    PlanImportSchema,
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
from .schemas.users import (
    ImportResultSchema,
    SheetSchema,
    UserCreateSchema,
    UserUpdateSchema,
)

bp = Blueprint("openapi", __name__)

JSON = "application/json"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
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

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NOT_MODIFIED = {"304": {"description": "not modified (If-None-Match matched the ETag)"}}
WRITES = ("post", "put", "patch", "delete")

PATHS = {
    "/api/auth/login": {"post": _op(
        "Sign in with {username, password} or {username, code} (a one-time code: the answer "
        "has must_change_password true); sets the session cookie. 403 auth.account_disabled: "
        "a deactivated account, with whom to call", body=LoginSchema, ok=MeSchema,
        errors=(400, 401, 403, 429))},
    "/api/auth/password": {"post": _op(
        "Choose her own password (after a one-time code; else current_password too)",
        body=NewPasswordSchema, ok=MeSchema, errors=(400, 401, 403, 429))},
    "/api/auth/logout": {"post": _op("Sign out", errors=(401, 403))},
    "/api/auth/me": {"get": _op("The signed-in user, unit path and CSRF token", ok=MeSchema,
                                errors=(401,))},
    "/api/units": {"get": _op(
        "Children of a unit valid on a date (depth=2: each with its own children, the "
        "whole picker tree in one request)", ok=UnitListSchema,
        params=[_q("parent", "unit code"), _q("on", "YYYY-MM-DD"),
                _q("depth", "1 (default) or 2", "integer")], errors=(400, 401, 404))},
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
    "/api/users/{username}/sign-in-code": {"post": _op(
        "Reset a password: her password stops working and a new one-time sign-in code is "
        "answered, once (expires after SIGN_IN_CODE_DAYS)", ok=SignInCodeSchema,
        ok_status="201", params=[_p("username")], errors=(400, 401, 403, 404))},
    "/api/users/{username}/unlock": {"post": _op(
        "Lift a lock-out: forget her failed sign-ins", ok=UserSchema,
        params=[_p("username")], errors=(401, 403, 404))},
    "/api/users/import": {"post": {**_op(
        "Import accounts from an .xlsx or .csv sheet (columns họ tên, số điện thoại, đơn vị "
        "by code or name, vai trò): one result {row, status, errors} per row; bad rows are "
        "skipped, new ones get a one-time sign-in code; ?dry_run=true creates nothing. "
        "Importing the same sheet again creates nothing (rows are unchanged)",
        ok=ImportResultSchema, params=[_q("dry_run", "true: only check", "boolean")],
        errors=(400, 401, 403, 409, 413)), "requestBody": {"required": True, "content": {
            XLSX: {"schema": {"type": "string", "format": "binary"}},
            "text/csv": {"schema": {"type": "string"}}}}}},
    "/api/users/sheet": {"post": {**_op(
        "The printable A4 sheet (HTML) of one-time sign-in codes just given, a QR code per "
        "officer; 400 when a code is no longer the account's live one", body=SheetSchema,
        errors=(400, 401, 403, 404)), "responses": {
            "200": {"description": "the sheet", "content": {"text/html": {}}},
            "400": PROBLEM, "401": PROBLEM, "403": PROBLEM, "404": PROBLEM}}},
    "/api/forms": {"get": _with(_op("Current form definitions (ETag; 304 on If-None-Match)",
                                    ok=FormListSchema, errors=()), NOT_MODIFIED)},
    "/api/forms/{form}/{version}.xlsx": {"get": {**_op(
        "One version as an Excel sheet in the XLSForm layout (survey, choices, settings; "
        "label::Vietnamese (vi), label::English (en)); text cells never run as formulas",
        params=[_p("form"), _p("version", "integer")], errors=(401, 404)), "responses": {
            "200": {"description": "the sheet", "content": {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}}},
            "401": PROBLEM, "404": PROBLEM}}},
    "/api/forms/{form}/{version}": {"get": _with(_op(
        "One published definition (ETag; 304 on If-None-Match)", ok=FormDefinitionSchema,
        params=[_p("form"), _p("version", "integer")], errors=(404,)), NOT_MODIFIED)},
    "/api/forms/{form}/versions": {
        "post": _with(_op(
            "Publish the next version (province administrator) from a JSON definition or "
            "that sheet, edited from the current version (its `version`): texts and value "
            "lists only (add, relabel, retire a choice); a change that would break stored "
            "records is refused (400 form.change_refused, with the reasons). ?dry_run=true: "
            "the changes in plain Vietnamese and the refusals only (200)",
            body=FormDefinitionSchema, ok=FormVersionSchema, ok_status="201",
            params=[_p("form"), _q("dry_run", "true: preview only", "boolean")],
            errors=(400, 401, 403, 404, 409, 415)),
            {"200": {"description": "dry run", "content": {
                JSON: {"schema": FormChangePlanSchema}}}}),
        "get": _op("Who published which version of the form, from which, when, and what "
                   "changed (append-only), newest first", ok=FormVersionListSchema,
                   params=[_p("form")], errors=(401, 403)),
    },
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
        "entry form). Paged by offset: ask again with offset=next_offset until "
        "next_offset is null; total counts every record the filters match", ok=QueueSchema,
        params=[_q("unit", "unit code"), _q("form", "form"), _q("status", "status"),
                _q("period", "YYYY-MM"), _q("limit", "rows per page, 1-200 (50)", "integer"),
                _q("offset", "rows to skip, 0- (0): the previous page's next_offset",
                   "integer"),
                _q("waiting", "me: only records awaiting her decision; others: the rest "
                   "(decided, or at another unit's step)")],
        errors=(400, 401, 403, 404))},
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
    "/api/audit/admin": {"get": _op(
        "Administrators' changes (accounts, the year's targets, deadline rules, form "
        "versions): actor, action, target, at, before, after; newest first (province "
        "administrator)", ok=AdminAuditListSchema,
        params=[_q("target", "user:<username>, target:<year>/<unit>/<indicator>, "
                             "rule:<code>, form:<form>/<version>"),
                _q("kind", "user, target, rule or form"), _q("actor", "username"),
                _q("from", "ISO 8601"), _q("to", "ISO 8601"),
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
    "/api/reminders/due": {"get": _op(
        "What the caller's own unit has not yet sent for rules due within 7 days (state "
        "due_soon) or already past due (overdue), soonest first", ok=DueListSchema,
        errors=(401,))},
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
    "/api/reminders/overdue/nudge": {"post": _op(
        "Remind whoever follows one case or group of her overdue lists (the case worker, "
        "else the holding unit's officers), push and in-app, once a day; the text names no "
        "detail of a case", body=FollowupNudgeSchema, ok=FollowupNudgedSchema,
        errors=(400, 401, 403, 404, 409))},
    "/api/reminders/nudge": {"post": _op("Remind the officers of some units now",
                                         body=NudgeSchema, errors=(400, 401, 403, 404))},
    "/api/devices/health": {"post": _op(
        "A phone's health report: counts and ages of the records it holds, last sync, "
        "storage, push; no record content. Idempotent per device_id and user",
        body=HealthReportSchema, ok=DeviceReportedSchema, errors=(400, 401, 403))},
    "/api/devices": {"get": _op(
        "The devices of a subtree's accounts, riskiest first, each with its `risk` codes",
        ok=DeviceListSchema, params=[_q("unit", "unit code (default: her own)")],
        errors=(400, 401, 403, 404))},
    "/api/devices/nudge": {"post": _op(
        "Remind an officer of what her phone holds (push and in-app), once a day",
        body=DeviceNudgeSchema, ok=DeviceNudgedSchema, errors=(400, 401, 403, 404, 409))},
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
    "/api/reports/targets/copy": {"post": _op(
        "Start a year's plan from another year's: each target the new year lacks is copied "
        "(administrator)", body=PlanCopySchema, ok=PlanCopiedSchema,
        errors=(400, 401, 403, 404))},
    "/api/reports/targets/{year}.xlsx": {"get": _with(_op(
        "A unit's plan for a year as an Excel sheet, one row per indicator, to fill in and "
        "upload back", params=[_p("year", "integer"), _q("unit", "unit code")],
        errors=(400, 401, 403, 404)), {"200": {"description": "the sheet", "content": {
            XLSX_TYPE: {}}}})},
    "/api/reports/targets/{year}/import": {"post": {**_op(
        "Apply a filled plan sheet (.xlsx body); each row {row, indicator, status, errors}, "
        "rows with a problem skipped; dry_run=true changes nothing (administrator)",
        ok=PlanImportSchema, params=[_p("year", "integer"), _q("unit", "unit code"),
                                     _q("dry_run", "true: only check", "boolean")],
        errors=(400, 401, 403, 404)), "requestBody": {"required": True, "content": {
            # The body is read whatever its type; octet-stream lets a generic client
            # (schemathesis) send one.
            XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}},
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}}},
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

# The sheet is the other body publishing takes.
PATHS["/api/forms/{form}/versions"]["post"]["requestBody"]["content"][
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"] = {
        "schema": {"type": "string", "format": "binary"}}


def _every_answer(path: str, method: str, op: dict) -> dict:
    """The answers any operation can give besides its own: 400 for text no database can
    store in the URL (checked before every /api request), 414 and 431 for a request line
    or headers over CSLP_MAX_URI_BYTES / CSLP_MAX_HEADER_FIELDS / CSLP_MAX_HEADER_BYTES,
    503 when the database is busy or away (retry later), and for a write 413 (a body over
    CSLP_MAX_CONTENT_LENGTH) and, once signed in, 403 (a missing or wrong X-CSRF-Token).
    Signed in with a one-time code, every call but choosing a password answers 403
    auth.must_change_password."""
    extra = [400, 414, 431]
    if path != "/api/openapi.json":
        extra += [503, 403]
    if method in WRITES:
        extra.append(413)
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
