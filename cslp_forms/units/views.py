"""Unit pickers."""

from flask_login import login_required

from ..schemas.base import load_args
from ..schemas.units import UnitListArgsSchema, UnitSchema
from ..services.base.clock import local_today
from ..services.base.units import children, resolve_unit
from . import bp


@bp.get("")
@login_required
def list_units():
    """Children of `parent` (the top level without it) valid on `on` (default today); with
    depth=2 each of them with its own children too."""
    args = load_args(UnitListArgsSchema())
    day = args.get("on") or local_today()
    parent = None
    if "parent" in args:
        parent = resolve_unit(args["parent"], args.get("on"))
        # A parent that has since ended (an old district) lists the children it had on
        # its last day, so pickers for old records still work.
        if parent.valid_to is not None and parent.valid_to < day:
            day = parent.valid_to
    units = children(parent, day)
    if args["depth"] == 1:
        return {"units": UnitSchema(many=True).dump(units)}
    return {"units": [_with_children(unit, day) for unit in units]}


def _with_children(unit, day) -> dict:
    """The unit's fields and its children valid on `day` (or on its last day if it has
    ended, as for the parent above)."""
    on = unit.valid_to if unit.valid_to is not None and unit.valid_to < day else day
    return {**UnitSchema().dump(unit),
            "children": UnitSchema(many=True).dump(children(unit, on))}
