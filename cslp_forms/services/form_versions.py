"""Form versions without a release: a province administrator edits a form's texts and
value lists (as JSON or as an XLSForm-layout sheet), sees the changes in plain words and
what is refused, and publishes the next immutable version (form_versions).

What a new version may change (everything else is refused, each with its reason):
- the form's title, a field's label and help text (hint), in Vietnamese and English;
- a value list: add a choice, relabel a choice, retire a choice (`"retired": true`: it
  stays valid on every record and draft, and phones hide it for new answers), bring a
  retired choice back with the label it had, reorder choices, mark or unmark
  `unverified`.
Refused because it would break stored records or what they mean: removing a field, a
choice or a list; changing a field's type or its list; reusing a value with another
meaning (a retired choice relabelled, a value that an earlier version had with another
label); retiring every choice of a list. Refused because it is a developer's release (a
new file in cslp_forms/definitions, with its indicators and exports): a new field or
list, or any change to constraints, conditions, checks, units, the review chain,
sensitivity or plain fields."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models.forms import FormVersion
from ..models.types import iso
from ..models.users import User
from ..problems import Problem, field_error, has_bad_text, say
from .base.audit import admin_audit
from .base.forms import (
    DefinitionError,
    FormDefinition,
    canonical_json,
    check_definition,
    forget_registry,
    grace,
    registry,
)

VALUE = re.compile(r"^[a-z0-9_]{1,60}$")
MAX_LABEL = 500
# Keys of a field spec and of a choice that a new version may change.
FIELD_TEXTS = ("label", "hint")
CHOICE_KEYS = {"value", "label", "retired", "unverified"}
TOP_TEXTS = ("title",)


def accepted_versions(now: datetime) -> list[dict]:
    """What a phone needs during a transition window: every version the server still
    takes new records on, with the end of its window (None: no end)."""
    forms = registry()
    out = []
    for current in forms.current():
        for definition in forms.versions(current.form):
            until = forms.accepted_until(definition.form, definition.version, grace())
            if until is None or until > now:
                out.append({"form": definition.form, "version": definition.version,
                            "current": definition is current, "until": iso(until)})
    return out


def require_province_admin(actor: User) -> None:
    if actor.role != "admin" or actor.unit.level != "province":
        raise Problem("auth.forbidden", say("form_version.province_admins"))


# --- the plan: changes in plain words, and refusals --------------------------------

@dataclass
class Plan:
    base: FormDefinition
    proposed: dict
    changes: list[str] = field(default_factory=list)
    refusals: list[dict] = field(default_factory=list)

    @property
    def version(self) -> int:
        return self.base.version + 1

    def refuse(self, path: str, code: str, key: str, **values) -> None:
        self.refusals.append(field_error(path, code, key, **values))

    def note(self, key: str, **values) -> None:
        self.changes.append(say(key, **values))

    def answer(self) -> dict:
        return {"form": self.base.form, "base_version": self.base.version,
                "version": self.version, "changes": self.changes,
                "refusals": self.refusals}


def _vi(label) -> str:
    return label.get("vi", "") if isinstance(label, dict) else ""


def _label_ok(plan: Plan, path: str, label) -> bool:
    ok = (isinstance(label, dict) and set(label) == {"vi", "en"}
          and all(isinstance(v, str) and v.strip() and len(v) <= MAX_LABEL
                  for v in label.values()))
    if not ok:
        plan.refuse(path, "form_version.bad_label", "form_version.bad_label", max=MAX_LABEL)
    return ok


def _history(form: str) -> dict[tuple[str, str], set[str]]:
    """(list, value) -> every Vietnamese label the value has had, in any version."""
    seen: dict[tuple[str, str], set[str]] = {}
    for definition in registry().versions(form):
        for name, spec in definition.data.get("choice_lists", {}).items():
            for choice in spec["choices"]:
                seen.setdefault((name, choice["value"]), set()).add(_vi(choice["label"]))
    return seen


def _compare_fields(plan: Plan, old: list, new: list, prefix: str) -> None:
    new_by_name = {f.get("name"): f for f in new if isinstance(f, dict)}
    old_names = [f["name"] for f in old]
    for spec in old:
        name, path = spec["name"], f"{prefix}{spec['name']}"
        label = _vi(spec["label"])
        other = new_by_name.get(name)
        if other is None:
            plan.refuse(path, "form_version.field_removed", "form_version.field_removed",
                        label=label)
            continue
        if other.get("type") != spec["type"]:
            plan.refuse(path, "form_version.type_changed", "form_version.type_changed",
                        label=label, old=spec["type"], new=other.get("type"))
            continue
        for key in sorted((set(spec) | set(other)) - set(FIELD_TEXTS) - {"fields"}):
            if spec.get(key) != other.get(key):
                plan.refuse(f"{path}.{key}", "form_version.structure_changed",
                            "form_version.field_rule_changed", label=label, what=key)
        if _label_ok(plan, f"{path}.label", other.get("label")) \
                and other["label"] != spec["label"]:
            plan.note("form_version.relabelled_field", old=label, new=_vi(other["label"]),
                      en=other["label"]["en"])
        hint = other.get("hint")
        if hint is not None and not _label_ok(plan, f"{path}.hint", hint):
            continue
        if hint != spec.get("hint"):
            if hint is None:
                plan.note("form_version.hint_removed", label=_vi(other["label"]))
            else:
                plan.note("form_version.hint_set", label=_vi(other["label"]), hint=_vi(hint))
        if spec["type"] == "repeat":
            _compare_fields(plan, spec["fields"], other.get("fields") or [], f"{path}.")
    for name, spec in new_by_name.items():
        if name not in old_names:
            plan.refuse(f"{prefix}{name}", "form_version.field_added",
                        "form_version.field_added", label=_vi(spec.get("label")) or name)
    if [n for n in new_by_name if n in old_names] != [n for n in old_names if n in new_by_name]:
        plan.note("form_version.fields_reordered")


def _list_users(definition: dict, name: str) -> str:
    """The label of the first field that uses a list, to name the list in plain words."""
    def walk(specs):
        for spec in specs:
            if spec.get("choices") == name:
                return _vi(spec["label"])
            if spec.get("type") == "repeat":
                found = walk(spec["fields"])
                if found:
                    return found
        return None

    return walk(definition["fields"]) or name


def _compare_lists(plan: Plan, old: dict, new: dict) -> None:
    history = _history(plan.base.form)
    for name, spec in old.items():
        path = f"choice_lists.{name}"
        where = _list_users(plan.base.data, name)
        other = new.get(name)
        if not isinstance(other, dict) or not isinstance(other.get("choices"), list):
            plan.refuse(path, "form_version.list_removed", "form_version.list_removed",
                        list=where)
            continue
        for key in sorted((set(spec) | set(other)) - {"choices", "unverified"}):
            if spec.get(key) != other.get(key):
                plan.refuse(f"{path}.{key}", "form_version.structure_changed",
                            "form_version.list_rule_changed", list=where, what=key)
        before = {c["value"]: c for c in spec["choices"]}
        values = []
        for index, choice in enumerate(other["choices"]):
            cpath = f"{path}.choices.{index}"
            if not isinstance(choice, dict) or not isinstance(choice.get("value"), str):
                plan.refuse(cpath, "form_version.bad_value", "form_version.bad_value")
                continue
            value = choice["value"]
            if set(choice) - CHOICE_KEYS:
                plan.refuse(cpath, "form_version.structure_changed",
                            "form_version.choice_keys", keys=", ".join(sorted(CHOICE_KEYS)))
            if value in values:
                plan.refuse(cpath, "form_version.duplicate_value",
                            "form_version.duplicate_value", value=value, list=where)
                continue
            values.append(value)
            retired = choice.get("retired", False)
            if not isinstance(retired, bool) or not isinstance(choice.get("unverified", False),
                                                                bool):
                plan.refuse(cpath, "form_version.bad_value", "form_version.bad_flag")
            if not _label_ok(plan, f"{cpath}.label", choice.get("label")):
                continue
            label = _vi(choice["label"])
            was = before.get(value)
            if was is None:
                if not VALUE.match(value):
                    plan.refuse(cpath, "form_version.bad_value", "form_version.value_format",
                                value=value)
                    continue
                earlier = history.get((name, value), set())
                if earlier and label not in earlier:
                    plan.refuse(cpath, "form_version.value_reused", "form_version.value_reused",
                                value=value, old=" / ".join(sorted(earlier)), new=label)
                    continue
                plan.note("form_version.choice_added", label=label, value=value, list=where)
                continue
            was_retired = was.get("retired", False)
            if choice["label"] != was["label"]:
                if was_retired or retired != was_retired:
                    plan.refuse(cpath, "form_version.value_reused",
                                "form_version.retired_relabelled", value=value,
                                old=_vi(was["label"]), new=label)
                    continue
                plan.note("form_version.choice_relabelled", old=_vi(was["label"]), new=label,
                          en=choice["label"]["en"], list=where)
            if retired and not was_retired:
                plan.note("form_version.choice_retired", label=label, list=where)
            elif was_retired and not retired:
                plan.note("form_version.choice_restored", label=label, list=where)
        for value, was in before.items():
            if value not in values:
                plan.refuse(path, "form_version.choice_removed", "form_version.choice_removed",
                            label=_vi(was["label"]), list=where)
        live = [c for c in other["choices"] if isinstance(c, dict) and not c.get("retired")]
        if not live:
            plan.refuse(path, "form_version.no_choice_left", "form_version.no_choice_left",
                        list=where)
        if [v for v in values if v in before] != [v for v in before if v in values]:
            plan.note("form_version.choices_reordered", list=where)
    for name in new:
        if name not in old:
            plan.refuse(f"choice_lists.{name}", "form_version.structure_changed",
                        "form_version.list_added", list=name)


def plan_change(form: str, proposed, *, actor: User) -> Plan:
    """Compare the proposed definition with the form's current version. The proposed
    `version` must be the current one: it says which version she edited."""
    require_province_admin(actor)
    base = registry().latest(form)
    if base is None:
        raise Problem("form.not_found", say("form.no_such_form", form=form))
    if not isinstance(proposed, dict):
        raise Problem("request.malformed", say("request.not_object"))
    if has_bad_text(proposed):
        raise Problem("request.malformed", say("request.bad_text"))
    edited = proposed.get("version")
    if edited != base.version or isinstance(edited, bool):
        raise Problem("form.stale_version", say("form.edit_current", form=form,
                                                 version=base.version))
    plan = Plan(base, proposed)
    if proposed.get("form") != form:
        plan.refuse("form", "form_version.structure_changed", "form_version.other_form",
                    form=form)
        return plan
    data = base.data
    for key in sorted((set(data) | set(proposed)) - {"title", "fields", "choice_lists",
                                                     "version"}):
        if data.get(key) != proposed.get(key):
            plan.refuse(key, "form_version.structure_changed", "form_version.form_rule_changed",
                        what=key)
    if _label_ok(plan, "title", proposed.get("title")) and proposed["title"] != data["title"]:
        plan.note("form_version.retitled", old=_vi(data["title"]), new=_vi(proposed["title"]))
    fields_ = proposed.get("fields")
    lists = proposed.get("choice_lists")
    if not isinstance(fields_, list) or not isinstance(lists, dict):
        plan.refuse("fields", "form_version.structure_changed", "form_version.shape")
        return plan
    _compare_fields(plan, data["fields"], fields_, "")
    _compare_lists(plan, data.get("choice_lists", {}), lists)
    if not plan.refusals:
        try:
            check_definition({**proposed, "version": plan.version}, f"{form} (new)")
            FormDefinition({**proposed, "version": plan.version}).schema  # noqa: B018
        except (AttributeError, DefinitionError, KeyError, TypeError, ValueError):
            plan.refuse("", "form_version.structure_changed", "form_version.shape")
    if not plan.refusals and not plan.changes:
        plan.refuse("", "form_version.no_change", "form_version.no_change")
    return plan


def publish(plan: Plan, *, actor: User, now: datetime) -> dict:
    """Store the planned version (refused: 400 with the refusals and the changes)."""
    if plan.refusals:
        raise Problem("form.change_refused", errors=plan.refusals, changes=plan.changes)
    data = {**plan.proposed, "version": plan.version}
    raw = canonical_json(data)
    definition = FormDefinition(data, f"{plan.base.form} v{plan.version}", raw)
    row = FormVersion(form=plan.base.form, version=plan.version, definition=raw.decode(),
                      definition_hash=definition.digest, base_version=plan.base.version,
                      base_hash=plan.base.digest, changes=plan.changes,
                      published_by_id=actor.id, published_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        raise Problem("form.stale_version", say("form.edit_current", form=plan.base.form,
                                                 version=plan.version)) from None
    # The admin audit (GET /api/audit/admin) names every publish with what it changed.
    admin_audit(actor, "form_version", target=f"form:{row.form}",
                before={"version": row.base_version},
                after={"version": row.version, "changes": plan.changes})
    forget_registry()
    return version_answer(row, definition)


def version_answer(row: FormVersion, definition: FormDefinition) -> dict:
    return {"form": row.form, "version": row.version, "base_version": row.base_version,
            "definition_hash": row.definition_hash, "published_at": iso(row.published_at),
            "published_by": row.published_by.username if row.published_by else None,
            "changes": row.changes, "definition": definition.data}


def published_versions(*, actor: User, form: str | None = None) -> list[dict]:
    """The publish audit: who published which version from which, when, and what changed
    (append-only rows of form_versions), newest first."""
    require_province_admin(actor)
    query = db.select(FormVersion).order_by(FormVersion.id.desc())
    if form:
        query = query.where(FormVersion.form == form)
    return [{"actor": row.published_by.username, "action": "form.publish",
             "target": f"{row.form}", "at": iso(row.published_at),
             "before": {"version": row.base_version, "definition_hash": row.base_hash},
             "after": {"version": row.version, "definition_hash": row.definition_hash,
                       "changes": row.changes}}
            for row in db.session.scalars(query.limit(500))]
