"""The review chain: which units approve a record filed under a unit, in order. Nobody
decides on a record she wrote: a reviewer's own record goes to the unit above hers."""

from __future__ import annotations

from ...models import LEVELS, REVIEWER_ROLES, Submission, Unit, User
from ..base.forms import registry
from ..base.units import ancestors


def review_chain(form: str, version: int, unit: Unit, lineage: list[Unit] | None = None,
                 *, author: User | None = None) -> list[Unit]:
    """The units that approve a record filed under `unit` by `author`, in order. A step at
    or below the unit's own level moves up to the nearest unit above it; a province's
    own record is reviewed by the province. A step at the author's own unit (a
    supervisor or administrator filing for a commune of hers) moves to the unit above
    hers; at the top there is none, and another reviewer of her unit decides."""
    definition = registry().get(form, version)
    lineage = lineage or ancestors(unit)
    above = lineage[:-1]
    chain: list[Unit] = []
    for level in definition.review_chain:
        fitting = [a for a in above if LEVELS.index(a.level) <= LEVELS.index(level)]
        if fitting and fitting[-1] not in chain:
            chain.append(fitting[-1])
    chain = chain or [lineage[0]]
    if author is None or author.role not in REVIEWER_ROLES:
        return chain
    ids = [u.id for u in lineage]
    if author.unit_id not in ids or ids.index(author.unit_id) == 0:
        return chain
    hers = ids.index(author.unit_id)
    instead = lineage[hers - 1]
    moved: list[Unit] = []
    for step in chain:
        step = instead if step.id == author.unit_id else step
        if step not in moved:
            moved.append(step)
    return moved


def chain_of(submission: Submission, lineage: list[Unit] | None = None) -> list[Unit]:
    """The review chain of a stored record."""
    return review_chain(submission.form, submission.form_version, submission.unit, lineage,
                        author=submission.author)


def initial_review(form: str, version: int, unit: Unit, lineage: list[Unit], *,
                   author: User) -> dict:
    """Columns a (re)submitted record starts its review with."""
    chain = review_chain(form, version, unit, lineage, author=author)
    return {"review_step": 0, "awaiting_unit_id": chain[0].id}
