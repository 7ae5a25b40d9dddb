"""Thin views over services/review.py (record detail and history). They commit: reading
a sensitive record writes its access-log row."""

from flask_login import current_user, login_required

from ..extensions import db
from ..services import review
from . import bp


def _logged_read(read, uuid) -> dict:
    payload = read(uuid, actor=current_user)
    db.session.commit()
    return payload


@bp.get("/<uuid:uuid>")
@login_required
def get_submission(uuid):
    return _logged_read(review.record_detail, uuid)


@bp.get("/<uuid:uuid>/history")
@login_required
def get_history(uuid):
    return _logged_read(review.history, uuid)
