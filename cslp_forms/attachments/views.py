"""Thin views over services/attachments.py."""

from flask import current_app, request
from flask_login import current_user, login_required

from ..extensions import db
from ..services.attachments import read_attachment, store_attachment
from . import bp


@bp.put("/<sha256>")
@login_required
def put_attachment(sha256):
    created = store_attachment(sha256, request.get_data(cache=False), user=current_user)
    db.session.commit()
    return {"sha256": sha256, "stored": True}, 201 if created else 200


@bp.get("/<sha256>")
@login_required
def get_attachment(sha256):
    attachment = read_attachment(sha256, user=current_user)
    response = current_app.response_class(attachment.data, mimetype=attachment.content_type)
    return response
