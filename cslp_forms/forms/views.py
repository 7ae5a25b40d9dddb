"""The current definitions (with an ETag), and any published version by number."""

import hashlib
import json

from flask import current_app, request

from ..problems import Problem, say
from ..services.base.forms import registry
from . import bp


def _json_response(payload: dict):
    body = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    response = current_app.response_class(body, mimetype="application/json")
    response.set_etag(hashlib.sha256(body.encode()).hexdigest()[:32])
    return response.make_conditional(request)


@bp.get("")
def list_forms():
    return _json_response({"forms": [d.data for d in registry().current()]})


@bp.get("/<form>/<int:version>")
def get_form(form, version):
    definition = registry().get(form, version)
    if definition is None:
        raise Problem("form.not_found", say("form.no_such_version", form=form, version=version))
    return _json_response(definition.data)
