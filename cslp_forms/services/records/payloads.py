"""A record as the API returns it: its answers (or a stub for a survivor's record read
without need to know), its photos still missing, and the last reviewer's decision."""

from __future__ import annotations

import uuid as uuid_lib
from functools import cache

from sqlalchemy import func, select

from ...extensions import db
from ...models import Attachment, ReviewDecision, Submission
from ...models.types import iso
from ..base.sql import any_of
from .sealing import is_sensitive, open_answers, open_decision_words


def present_attachments(hashes) -> set[str]:
    wanted = set(hashes)
    if not wanted:
        return set()
    return set(db.session.scalars(select(Attachment.sha256).where(
        Attachment.sha256.in_(wanted))))


def missing_attachments(submissions: list[Submission]) -> dict[uuid_lib.UUID, list[str]]:
    """Photos each record lists that have not been uploaded yet (one query)."""
    present = present_attachments(h for s in submissions for h in (s.attachments or []))
    return {s.uuid: [h for h in (s.attachments or []) if h not in present]
            for s in submissions}


MISSING = object()


def record_payload(submission: Submission, missing: list[str] | None = None,
                   review=MISSING, *, details: bool = True) -> dict:
    """A record as the API returns it, with the last reviewer's decision (the comment
    of a return is what the officer's phone shows). A sensitive record without
    `details` is a stub: category, date and status, no answers."""
    if missing is None:
        missing = missing_attachments([submission])[submission.uuid]
    if review is MISSING:
        review = latest_decisions([submission.uuid]).get(submission.uuid)
    stub = is_sensitive(submission) and not details
    if stub:
        answers = {}
    else:
        answers = open_answers(submission, submission.uuid)
    # A decision speaks of the revision it was made on: a resent record carries none.
    if review and review["revision"] != submission.revision:
        review = None
    if review and stub:
        # A reviewer's words on an incident are details too.
        review = {k: v for k, v in review.items() if k not in ("comment", "field_comments")}
    return {
        "uuid": str(submission.uuid),
        "form": submission.form,
        "version": submission.form_version,
        "unit": submission.unit.summary(),
        "author": submission.author.username,
        "author_name": submission.author.display_name,
        "status": submission.status,
        "revision": submission.revision,
        "record_date": submission.record_date.isoformat(),
        "period": submission.period,
        "answers": answers,
        "stub": stub,
        "category": (submission.answers or {}).get("case_category") if stub else None,
        "attachments": submission.attachments,
        "missing_attachments": missing,
        "awaiting": submission.awaiting_unit.summary() if submission.awaiting_unit else None,
        "review": review,
        "created_at": iso(submission.created_at),
        "updated_at": iso(submission.updated_at),
        "parent": str(submission.parent_uuid) if submission.parent_uuid else None,
        "holder_unit": submission.holder_unit.summary() if submission.holder_unit else None,
    }


def latest_decisions(uuids) -> dict:
    """The last decision on each record (one query), as the phone shows it."""
    uuids = list(uuids)
    if not uuids:
        return {}
    rows = db.session.scalars(_latest_query(db.session.get_bind().dialect.name),
                              {"uuids": uuids})
    return {row.submission_uuid: decision_payload(row) for row in rows}


@cache
def _latest_query(dialect: str):
    """Built once (every pull and every record read runs it)."""
    last = (select(func.max(ReviewDecision.id))
            .where(any_of(dialect, ReviewDecision.submission_uuid, "uuids"))
            .group_by(ReviewDecision.submission_uuid))
    return select(ReviewDecision).where(ReviewDecision.id.in_(last))


def decision_payload(row: ReviewDecision) -> dict:
    words = open_decision_words(row)
    return {
        "decision": row.decision, "comment": words["comment"],
        "field_comments": words["field_comments"] or {}, "revision": row.revision,
        "by": row.actor.display_name, "unit": row.unit.summary(), "at": iso(row.created_at),
    }

