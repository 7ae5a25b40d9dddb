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
    """Children of `parent` (the top level without it) valid on `on` (default today)."""
    args = load_args(UnitListArgsSchema())
    day = args.get("on") or local_today()
    parent = None
    if "parent" in args:
        parent = resolve_unit(args["parent"], args.get("on"))
        # A parent that has since ended (an old district) lists the children it had on
        # its last day, so pickers for old records still work.
        if parent.valid_to is not None and parent.valid_to < day:
            day = parent.valid_to
    return {"units": UnitSchema(many=True).dump(children(parent, day))}
