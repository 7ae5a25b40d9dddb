"""Small-cell suppression for incident figures (FORMS.md §3, control 9): outside the unit
a figure is about, a count from 1 to 4 shows as "<5". When exactly one of a row of
sibling cells is hidden, the smallest other non-zero sibling is hidden too ("*"), so
the hidden one cannot be worked out by subtracting the visible ones from the total."""

from __future__ import annotations

SMALL = "<5"
COMPLEMENT = "*"
THRESHOLD = 5


def is_small(n: int) -> bool:
    return 0 < n < THRESHOLD


def mask(n: int, *, own: bool) -> int | str:
    """One figure about a unit: exact for the unit's own people, else "<5" when small."""
    return SMALL if not own and is_small(n) else n


def mask_siblings(cells: dict[str, int], *, own: set[str]) -> dict[str, int | str]:
    """A row of sibling figures (key -> count), `own` the keys the viewer may see
    exactly. Primary suppression, then one complementary cell if only one was hidden."""
    shown: dict[str, int | str] = {k: mask(v, own=k in own) for k, v in cells.items()}
    hidden = [k for k, v in shown.items() if v == SMALL]
    if len(hidden) == 1:
        others = sorted((v, k) for k, v in cells.items()
                        if k not in hidden and k not in own and v > 0)
        if others:
            shown[others[0][1]] = COMPLEMENT
    return shown


def share(part: int, whole: int, *, own: bool) -> float | None:
    """A percentage that must not give away a small count: outside the unit it shows only
    when both the part and the rest are 0 or at least 5."""
    if whole <= 0:
        return None
    if not own and (is_small(part) or is_small(whole - part)):
        return None
    return round(100 * part / whole, 1)
