"""Thin views over services/sync.py."""

from flask import request
from flask_login import current_user, login_required

from ..models.types import utcnow
from ..problems import Problem, has_bad_text, say
from ..schemas.base import load_args, load_json
from ..schemas.sync import MAX_BATCH, ChangesArgsSchema, SyncBatchSchema
from ..services.sync import apply_sync_batch, changes_since
from ..unit_of_work import commit_retrying
from . import bp

# Built once: a marshmallow schema costs more to build than to load a batch's envelope.
_BATCH_SCHEMA = SyncBatchSchema()
_CHANGES_ARGS = ChangesArgsSchema()


@bp.post("")
@login_required
def sync_batch():
    data = request.get_json(silent=True)
    if isinstance(data, dict) and isinstance(data.get("items"), list) \
            and len(data["items"]) > MAX_BATCH:
        raise Problem("sync.batch_too_large",
                      say("sync.batch_limit", max_items=MAX_BATCH),
                      max_items=MAX_BATCH)
    if isinstance(data, dict) and has_bad_text(list(data)):
        raise Problem("request.malformed", say("request.bad_text"))
    # Text inside items is checked item by item: one bad item never fails the batch.
    batch = load_json(_BATCH_SCHEMA, data=data, check_text=False)
    # The user herself, not the proxy: a batch reads her a few times per item.
    user = current_user._get_current_object()
    results = commit_retrying(
        lambda: apply_sync_batch(batch["items"], user=user, now=utcnow()))
    return {"results": results}


@bp.get("/changes")
@login_required
def list_changes():
    args = load_args(_CHANGES_ARGS)
    cursor = args["cursor"]
    if not cursor.isascii() or not cursor.isdigit() or len(cursor) > 18:
        raise Problem("sync.bad_cursor")
    return changes_since(user=current_user._get_current_object(), cursor=int(cursor),
                         limit=args["limit"])
