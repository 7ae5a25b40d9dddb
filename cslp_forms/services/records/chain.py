"""The review chain: which units approve a record filed under a unit, in order."""

from __future__ import annotations

from ...models import LEVELS, Unit
from ..base.forms import registry
from ..base.units import ancestors


def review_chain(form: str, version: int, unit: Unit, lineage: list[Unit] | None = None
                 ) -> list[Unit]:
    """The units that approve a record filed under `unit`, in order. A step at or below
    the unit's own level moves up to the nearest unit above it; a province's own record
    is reviewed by the province."""
    definition = registry().get(form, version)
    lineage = lineage or ancestors(unit)
    above = lineage[:-1]
    chain: list[Unit] = []
    for level in definition.review_chain:
        fitting = [a for a in above if LEVELS.index(a.level) <= LEVELS.index(level)]
        if fitting and fitting[-1] not in chain:
            chain.append(fitting[-1])
    return chain or [lineage[0]]


def initial_review(form: str, version: int, unit: Unit, lineage: list[Unit]) -> dict:
    """Columns a (re)submitted record starts its review with."""
    chain = review_chain(form, version, unit, lineage)
    return {"review_step": 0, "awaiting_unit_id": chain[0].id}
