"""The current definitions (with an ETag), any version by number (JSON or an XLSForm-layout
sheet), and publishing the next version on screen (province administrators)."""

import hashlib
import json

from flask import current_app, request
from flask_login import current_user, login_required

from ..compression import compress_once
from ..models.types import utcnow
from ..problems import Problem, invalid, say
from ..services.base.forms import forget_registry, registry
from ..services.base.xlsform import MIMETYPE, from_workbook, to_workbook
from ..services.form_versions import (
    accepted_versions,
    plan_change,
    publish,
    published_versions,
    require_province_admin,
)
from ..unit_of_work import commit_retrying
from . import bp


@bp.teardown_app_request
def _read_versions_again(_exc):
    forget_registry()


def _json_response(payload: dict):
    body = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    tag = hashlib.sha256(body.encode()).hexdigest()[:32]
    # A compressed answer's ETag is "<tag>:<algorithm>" (flask-compress): the phone
    # revalidating it gets its 304 here, before the answer is compressed again for nothing.
    sent = next((t for t in request.if_none_match.as_set() if t.split(":")[0] == tag), None)
    if sent is not None:
        response = current_app.response_class(status=304)
        response.set_etag(sent)
        return response
    response = current_app.response_class(body, mimetype="application/json")
    response.set_etag(tag)
    compress_once(tag, response.get_data())  # the same for every phone: compressed once
    return response.make_conditional(request)


@bp.get("")
def list_forms():
    return _json_response({"forms": [d.data for d in registry().current()],
                           "accepted": accepted_versions(utcnow())})


def _definition(form, version):
    definition = registry().get(form, version)
    if definition is None:
        raise Problem("form.not_found", say("form.no_such_version", form=form, version=version))
    return definition


@bp.get("/<form>/<int:version>")
def get_form(form, version):
    return _json_response(_definition(form, version).data)


@bp.get("/<form>/<int:version>.xlsx")
@login_required
def get_form_sheet(form, version):
    definition = _definition(form, version)
    response = current_app.response_class(to_workbook(definition.data), mimetype=MIMETYPE)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{definition.form}.v{definition.version}.xlsx"')
    return response


def _proposed(form):
    body = request.get_data(cache=False)
    if request.mimetype == "application/json":
        try:
            return json.loads(body)
        except (ValueError, RecursionError):
            raise Problem("request.malformed", say("request.not_object")) from None
    if request.mimetype in (MIMETYPE, "application/octet-stream") or body[:2] == b"PK":
        def base_for(name, version):
            found = registry().get(name, version) if name == form else None
            return found.data if found else None

        return from_workbook(body, base_for)
    raise Problem("request.unsupported_media_type")


@bp.post("/<form>/versions")
@login_required
def create_form_version(form):
    """Publish the next version from a JSON definition or an XLSForm sheet; with
    ?dry_run=true only the changes in plain words and the refusals."""
    dry_run = request.args.get("dry_run", "false")
    if dry_run not in ("true", "false"):
        raise invalid("dry_run", "field.invalid_type")
    require_province_admin(current_user)
    proposed = _proposed(form)
    if dry_run == "true":
        return plan_change(form, proposed, actor=current_user).answer()

    def work():
        plan = plan_change(form, proposed, actor=current_user)
        return publish(plan, actor=current_user, now=utcnow())

    return commit_retrying(work), 201


@bp.get("/<form>/versions")
@login_required
def list_form_versions(form):
    """Who published which version of the form, from which, when, and what changed."""
    return {"entries": published_versions(actor=current_user, form=form)}
