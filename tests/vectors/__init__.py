"""Shared validation vectors: definition + answers + expected errors, as JSON, so the
server (pytest) and the browser (validate.js) are held to the same results."""

import copy
import json
from pathlib import Path

from cslp_forms.services.base.forms import FormDefinition, check_definition, registry

VECTOR_DIR = Path(__file__).resolve().parent


def published(data: dict, edit: dict) -> dict:
    """The next version of `data` as an administrator publishes it on screen: choices
    added (`add`: list -> choices) and retired (`retire`: list -> values)."""
    out = copy.deepcopy(data)
    out["version"] = data["version"] + 1
    lists = out["choice_lists"]
    for name, choices in edit.get("add", {}).items():
        lists[name]["choices"].extend(copy.deepcopy(choices))
    for name, values in edit.get("retire", {}).items():
        for choice in lists[name]["choices"]:
            if choice["value"] in values:
                choice["retired"] = True
    return out


def load_vectors():
    """(file, case) pairs, each case with `definition`, `answers`, `attachments`,
    `errors` resolved."""
    out = []
    for path in sorted(VECTOR_DIR.glob("*.json")):
        spec = json.loads(path.read_text(encoding="utf-8"))
        if "definition" in spec:
            check_definition(spec["definition"], path.name)
            definition = FormDefinition(spec["definition"], path.name)
        else:
            form, version = spec["definition_ref"].rsplit(".v", 1)
            definition = registry().get(form, int(version))
            if "published" in spec:
                definition = FormDefinition(published(definition.data, spec["published"]),
                                            path.name)
        for case in spec["cases"]:
            answers = case["replace"] if "replace" in case else {**spec.get("base", {}),
                                                                   **case["answers"]}
            out.append((path.name, case["name"], definition, answers,
                        case.get("attachments", []), case["errors"]))
    return out
