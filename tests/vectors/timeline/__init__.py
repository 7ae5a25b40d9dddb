"""Shared vectors of the derived state (derive_state / deriveState) and of the entry
rules (entry_refusal / entryRefusal): each file a record, then cases of a timeline, the
day, and the state keys expected. Defaults are filled here, once, for both sides."""

import json
from pathlib import Path

DIR = Path(__file__).resolve().parent


def _record(spec: dict, case: dict) -> dict:
    given = {**spec["record"], **case.get("record", {})}
    return {"uuid": "case", "form": "incident", "status": "approved", "created_at": "",
            "unit": {"code": "31630"}, "author": "canbo.a", "author_name": "Cán bộ A",
            "answers": {}, **given}


def _timeline(record: dict, entries: list[dict]) -> list[dict]:
    out = []
    for index, entry in enumerate(entries, start=1):
        out.append({"uuid": f"e{index}", "form": f"{record['form']}_entry",
                    "status": "approved", "created_at": "", "unit": record["unit"],
                    "author": record["author"], "author_name": record["author_name"],
                    "answers": {}, **entry})
    return out


def load_state_vectors() -> list[dict]:
    """{file, name, record, timeline, today, state} per case."""
    out = []
    for path in sorted(DIR.glob("*.json")):
        spec = json.loads(path.read_text(encoding="utf-8"))
        for case in spec["cases"]:
            record = _record(spec, case)
            out.append({"file": path.name, "name": case["name"], "record": record,
                        "timeline": _timeline(record, case["timeline"]),
                        "today": case["today"], "state": case["state"]})
    return out


def load_refusal_vectors() -> list[dict]:
    """{file, name, record, timeline, answers, any_service, refusal} per case."""
    out = []
    for path in sorted(DIR.glob("*.json")):
        spec = json.loads(path.read_text(encoding="utf-8"))
        for case in spec.get("refusals", []):
            record = _record(spec, case)
            out.append({"file": path.name, "name": case["name"], "record": record,
                        "timeline": _timeline(record, case["timeline"]),
                        "answers": case["answers"], "any_service": case["any_service"],
                        "refusal": case["refusal"]})
    return out
