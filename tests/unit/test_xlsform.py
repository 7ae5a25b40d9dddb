"""The XLSForm sheet both ways: what ODK/Kobo users write in the headers is understood,
and a round trip of every shipped definition gives the definition back."""

import io

import pytest
from openpyxl import Workbook

from cslp_forms.services.base.forms import repo_registry
from cslp_forms.services.base.xlsform import _normalise, from_workbook, to_workbook


@pytest.mark.parametrize("header, key", [
    ("label::Vietnamese (vi)", "label::vi"), ("label::vi", "label::vi"),
    ("Label::Vietnamese", "label::vi"), ("label", "label::vi"),
    ("label::English (en)", "label::en"), ("LABEL::English", "label::en"),
    ("hint::en", "hint::en"), ("hint", "hint::vi"), ("form_title::English (en)",
                                                     "form_title::en"),
    (" list_name ", "list_name"), ("label::Khmer (km)", "label::khmer (km)"), (None, ""),
])
def test_headers_people_write_are_understood(header, key):
    assert _normalise(header) == key


@pytest.mark.parametrize("definition", repo_registry().current(), ids=lambda d: d.form)
def test_every_shipped_definition_survives_a_round_trip(definition):
    body = to_workbook(definition.data)
    back = from_workbook(body, lambda form, version: definition.data
                         if (form, version) == (definition.form, definition.version) else None)
    assert back == definition.data


def test_an_odk_style_sheet_with_bare_label_columns_is_read():
    data = repo_registry().get("activity", 1).data
    wb = Workbook()
    survey = wb.active
    survey.title = "survey"
    survey.append(["type", "name", "label", "label::English"])
    for spec in data["fields"]:
        kind = f"{spec['type']} {spec['choices']}" if "choices" in spec else spec["type"]
        survey.append([kind, spec["name"], spec["label"]["vi"], spec["label"]["en"]])
    choices = wb.create_sheet("choices")
    choices.append(["list_name", "name", "label", "label::English"])
    for name, spec in data["choice_lists"].items():
        for choice in spec["choices"]:
            choices.append([name, choice["value"], choice["label"]["vi"], choice["label"]["en"]])
    settings = wb.create_sheet("settings")
    settings.append(["form_id", "version"])
    settings.append(["activity", "1"])
    out = io.BytesIO()
    wb.save(out)
    back = from_workbook(out.getvalue(), lambda form, version: data)
    # No hint columns: every hint is kept; labels and lists are read as written.
    assert back == data
