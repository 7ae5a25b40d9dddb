"""Thin views over services/review.py (record detail and history)."""

from flask_login import current_user, login_required

from ..services import review
from . import bp


@bp.get("/<uuid:uuid>")
@login_required
def get_submission(uuid):
    return review.record_detail(uuid, actor=current_user)


@bp.get("/<uuid:uuid>/history")
@login_required
def get_history(uuid):
    return review.history(uuid, actor=current_user)
