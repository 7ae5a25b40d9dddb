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
    batch = load_json(SyncBatchSchema(), data=data, check_text=False)
    results = commit_retrying(
        lambda: apply_sync_batch(batch["items"], user=current_user, now=utcnow()))
    return {"results": results}


@bp.get("/changes")
@login_required
def list_changes():
    args = load_args(ChangesArgsSchema())
    cursor = args["cursor"]
    if not cursor.isascii() or not cursor.isdigit() or len(cursor) > 18:
        raise Problem("sync.bad_cursor")
    return changes_since(user=current_user, cursor=int(cursor), limit=args["limit"])
