"""The published definitions: valid, bilingual, and never edited in place."""

import hashlib
import json

import pytest

from cslp_forms.services.base.forms import DEFINITIONS_DIR, Registry, registry

# A published version never changes: a new version is a new file. Add its hash here.
PUBLISHED = {
    "activity.v1.json": "4d8ac68dc81e9845afc485d594f6d1cfcf4a1623582a46f4891bbafe8423fc48",
    "incident.v1.json": "7f4d17d96893cc16d259df636fae049682a37531c12400a6d125e9b4a2a9fbf6",
    "incident_entry.v1.json": "f30dad0b0c36d1b9fe140f726ab24eb162a68df69aa90e04efd27257f7204c2b",
    "model_group.v1.json": "4fcfc05754068513194d92713a217720efb0b6173bd563d094a8905053c3daab",
    "model_group_entry.v1.json": "2890748c825fa90e48e23710d657aee528a3f78b0db518732b161e32d13861b2",
    "report.v1.json": "40c209fcec1f73d01640a68cac50fc3c46a0c4acdded26ac3f1fa8c0d7cfa3d7",
}


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_published_definition_is_unchanged(name):
    digest = hashlib.sha256((DEFINITIONS_DIR / name).read_bytes()).hexdigest()
    assert digest == PUBLISHED[name], f"{name} was edited: publish a new version instead"


def test_every_definition_file_is_registered_as_published():
    assert {p.name for p in DEFINITIONS_DIR.glob("*.json")} == set(PUBLISHED)


def _labels(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("label", "title", "hint", "message"):
                yield value
            else:
                yield from _labels(value)
    elif isinstance(node, list):
        for value in node:
            yield from _labels(value)


@pytest.mark.parametrize("definition", registry().current(), ids=lambda d: d.form)
def test_every_text_is_in_vietnamese_and_english(definition):
    for label in _labels(definition.data):
        assert set(label) == {"vi", "en"} and label["vi"].strip() and label["en"].strip()


def test_a_broken_definition_is_refused_at_load(tmp_path):
    data = json.loads((DEFINITIONS_DIR / "activity.v1.json").read_text(encoding="utf-8"))
    data["fields"][0]["relevant"] = {"field": "no_such_field", "eq": 1}
    (tmp_path / "activity.v1.json").write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match="no_such_field"):
        Registry.load(tmp_path)


def test_the_file_name_must_match_form_and_version(tmp_path):
    data = (DEFINITIONS_DIR / "activity.v1.json").read_text(encoding="utf-8")
    (tmp_path / "activity.v2.json").write_text(data, encoding="utf-8")
    with pytest.raises(ValueError, match="differ from the file name"):
        Registry.load(tmp_path)


def test_current_is_the_newest_version(tmp_path):
    data = json.loads((DEFINITIONS_DIR / "activity.v1.json").read_text(encoding="utf-8"))
    (tmp_path / "activity.v1.json").write_text(json.dumps(data), encoding="utf-8")
    data["version"] = 2
    (tmp_path / "activity.v2.json").write_text(json.dumps(data), encoding="utf-8")
    loaded = Registry.load(tmp_path)
    assert [d.version for d in loaded.current()] == [2]
    assert loaded.get("activity", 1) is not None
