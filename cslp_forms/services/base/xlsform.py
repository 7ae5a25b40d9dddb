"""A form definition as an Excel sheet in the XLSForm layout people know from ODK and Kobo
(sheets survey, choices, settings; columns label::Vietnamese (vi), label::English (en),
hint::…), and back. The sheet carries the texts and value lists; what it does not carry
(conditions, constraints, checks, review chain) is kept from the version it was
downloaded from, whose number is in settings.version.

survey: type (`select_one <list>`, `select_multiple <list>`, `begin_repeat` /
`end_repeat`, otherwise the definition's own type: text, long_text, integer, date, yes_no,
unit, photo), name, label::…, hint::…, required (yes/blank). choices: list_name, name,
label::…, retired (yes: hidden for new answers, valid on old records). A column the
sheet leaves out (a language, hints, required, retired) keeps what the version had. A
text cell never becomes a formula on download, and a formula cell is refused on upload."""

from __future__ import annotations

import copy
import io
import zipfile

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from ...problems import BAD_TEXT, Problem, field_error, say

MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LANGUAGES = {"vi": "Vietnamese", "en": "English"}
MAX_ROWS = 5000
# A text that a spreadsheet would run as a formula (as services/reports/exports.py).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
YES = {"yes", "true", "1", "x", "có", "co"}


def _column(kind: str, lang: str) -> str:
    return f"{kind}::{LANGUAGES[lang]} ({lang})"


def _cells(sheet, values: list) -> list:
    row = []
    for value in values:
        if isinstance(value, str):
            cell = WriteOnlyCell(sheet, value=BAD_TEXT.sub("\ufffd", value))
            cell.data_type = "s"
            if value.startswith(FORMULA_START):
                cell.quotePrefix = True
            row.append(cell)
        else:
            row.append(value)
    return row


def _header(sheet, names: list[str]) -> None:
    cells = _cells(sheet, names)
    for cell in cells:
        cell.font = Font(bold=True)
    sheet.append(cells)


def _type_name(spec: dict) -> str:
    if spec["type"] in ("select_one", "select_multiple"):
        return f"{spec['type']} {spec['choices']}"
    return spec["type"]


def _texts(spec: dict, key: str) -> list[str]:
    text = spec.get(key) or {}
    return [text.get(lang, "") for lang in LANGUAGES]


def to_workbook(data: dict) -> bytes:
    """The definition as an .xlsx file."""
    workbook = Workbook(write_only=True)
    survey = workbook.create_sheet("survey")
    _header(survey, ["type", "name", *[_column("label", x) for x in LANGUAGES],
                     *[_column("hint", x) for x in LANGUAGES], "required"])

    def walk(specs):
        for spec in specs:
            if spec["type"] == "repeat":
                survey.append(_cells(survey, ["begin_repeat", spec["name"],
                                              *_texts(spec, "label"), *_texts(spec, "hint"),
                                              ""]))
                walk(spec["fields"])
                survey.append(_cells(survey, ["end_repeat", spec["name"], "", "", "", "", ""]))
            else:
                survey.append(_cells(survey, [
                    _type_name(spec), spec["name"], *_texts(spec, "label"),
                    *_texts(spec, "hint"), "yes" if spec.get("required") else ""]))

    walk(data["fields"])
    choices = workbook.create_sheet("choices")
    _header(choices, ["list_name", "name", *[_column("label", x) for x in LANGUAGES],
                      "retired"])
    for name, spec in data.get("choice_lists", {}).items():
        for choice in spec["choices"]:
            choices.append(_cells(choices, [name, choice["value"], *_texts(choice, "label"),
                                            "yes" if choice.get("retired") else ""]))
    settings = workbook.create_sheet("settings")
    _header(settings, ["form_id", "version", *[_column("form_title", x) for x in LANGUAGES]])
    settings.append(_cells(settings, [data["form"], data["version"],
                                      *_texts(data, "title")]))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --- reading a sheet back ------------------------------------------------------------

class _Sheet:
    """One sheet's rows as dicts by normalised header, with formula cells refused."""

    def __init__(self, workbook, name: str, required: tuple[str, ...], errors: list):
        self.rows: list[tuple[int, dict]] = []
        self.columns: set[str] = set()
        self.ok = False
        sheet = next((workbook[s] for s in workbook.sheetnames if s.strip().lower() == name),
                     None)
        if sheet is None:
            errors.append(field_error(name, "form.bad_sheet", "form.sheet_missing", sheet=name))
            return
        lines = sheet.iter_rows()
        header = next(lines, ())
        names = [_normalise(c.value) for c in header]
        self.columns = set(names)
        for column in required:
            if column not in names:
                errors.append(field_error(f"{name}!1", "form.bad_sheet", "form.sheet_column",
                                          sheet=name, column=column))
        if any(field["code"] == "form.bad_sheet" and field["field"].startswith(name)
               for field in errors):
            return
        for number, cells in enumerate(lines, 2):
            if number > MAX_ROWS + 1:
                errors.append(field_error(name, "form.bad_sheet", "form.sheet_too_long",
                                          sheet=name, max=MAX_ROWS))
                return
            row = {}
            for key, cell in zip(names, cells, strict=False):
                if cell.data_type == "f":
                    errors.append(field_error(f"{name}!{cell.coordinate}", "form.bad_sheet",
                                              "form.sheet_formula", sheet=name,
                                              cell=cell.coordinate))
                    continue
                if key and cell.value is not None:
                    row[key] = str(cell.value).strip() if not isinstance(cell.value, str) \
                        else cell.value.strip()
            if any(row.values()):
                self.rows.append((number, row))
        self.ok = True


def _normalise(header) -> str:
    """`label::Vietnamese (vi)`, `label::vi`, `label::Vietnamese` -> `label::vi`; a bare
    `label` is Vietnamese."""
    if not isinstance(header, str):
        return ""
    text = " ".join(header.strip().lower().split())
    kind, _, lang = text.partition("::")
    if kind in ("label", "hint", "form_title"):
        lang = lang.strip()
        for code, name in LANGUAGES.items():
            if lang in ("", code, name.lower(), f"{name.lower()} ({code})") and \
                    (lang or code == "vi"):
                return f"{kind}::{code}"
    return text


def _label(row: dict, kind: str, fallback: dict | None, columns: set[str]) -> dict | None:
    """The row's text in each language; a language whose column the sheet lacks keeps
    the text it had (a sheet with no hint columns keeps every hint)."""
    fallback = fallback or {}
    if not any(f"{kind}::{lang}" in columns for lang in LANGUAGES):
        return fallback or None
    texts = {lang: row.get(f"{kind}::{lang}", "") if f"{kind}::{lang}" in columns
             else fallback.get(lang, "") for lang in LANGUAGES}
    if not any(texts.values()):
        return None if kind == "hint" else (fallback or texts)
    return texts


def from_workbook(body: bytes, base_for) -> dict:
    """The definition the sheet describes, from `base_for(form, version)` (the definition
    it was downloaded from, or None) with the sheet's texts and lists. Problem form.bad_sheet
    lists every problem of the sheet at once."""
    try:
        workbook = load_workbook(io.BytesIO(body), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        raise Problem("form.bad_sheet", say("form.sheet_unreadable")) from None
    errors: list[dict] = []
    survey = _Sheet(workbook, "survey", ("type", "name"), errors)
    choices = _Sheet(workbook, "choices", ("list_name", "name"), errors)
    settings = _Sheet(workbook, "settings", ("form_id", "version"), errors)
    base = None
    if settings.ok:
        first = settings.rows[0][1] if settings.rows else {}
        try:
            base = base_for(first.get("form_id", ""), int(float(first.get("version", ""))))
        except ValueError:
            base = None
        if base is None:
            errors.append(field_error("settings", "form.bad_sheet", "form.sheet_settings"))
    if errors or base is None:
        raise Problem("form.bad_sheet", errors=errors)
    data = copy.deepcopy(base)
    if settings.rows:
        data["title"] = _label(settings.rows[0][1], "form_title", data["title"],
                               settings.columns)
    data["fields"] = _survey(survey.rows, survey.columns, base["fields"], errors)
    data["choice_lists"] = _choices(choices.rows, choices.columns,
                                    base.get("choice_lists", {}))
    if errors:
        raise Problem("form.bad_sheet", errors=errors)
    return data


def _survey(rows, columns: set[str], base_fields: list, errors: list) -> list:
    """Fields from the survey rows: each matched by name (in its repeat) to the base's
    spec, which keeps its rules; a changed type or required, or an unknown name, is put
    in as it reads so that the comparison refuses it with its reason."""
    top: list = []
    stack: list[tuple[list, dict[str, dict]]] = [(top, {f["name"]: f for f in base_fields})]
    for number, row in rows:
        kind, name = row.get("type", ""), row.get("name", "")
        words = kind.split()
        out, known = stack[-1]
        if kind == "end_repeat":
            if len(stack) == 1:
                errors.append(field_error(f"survey!{number}", "form.bad_sheet",
                                          "form.sheet_repeat", row=number))
            else:
                stack.pop()
            continue
        was = known.get(name)
        if kind == "begin_repeat":
            spec = copy.deepcopy(was) if was and was["type"] == "repeat" else {
                "name": name, "type": "repeat" if not was else was["type"], "fields": []}
            spec["label"] = _label(row, "label", spec.get("label"), columns)
            _set_hint(spec, row, columns)
            rows_known = {f["name"]: f for f in (was or {}).get("fields", [])}
            spec["fields"] = []
            out.append(spec)
            stack.append((spec["fields"], rows_known))
            continue
        if not words or words[0] not in ("select_one", "select_multiple", "text", "long_text",
                                          "integer", "date", "yes_no", "unit", "photo"):
            errors.append(field_error(f"survey!{number}", "form.bad_sheet", "form.sheet_type",
                                      row=number, type=kind))
            continue
        spec = copy.deepcopy(was) if was else {"name": name}
        spec["type"] = words[0]
        if words[0] in ("select_one", "select_multiple") and len(words) > 1:
            spec["choices"] = words[1]
        elif "choices" in spec and words[0] not in ("select_one", "select_multiple"):
            spec.pop("choices")
        spec["label"] = _label(row, "label", spec.get("label"), columns)
        _set_hint(spec, row, columns)
        required = row.get("required", "").lower() in YES
        if "required" in columns and required != bool(spec.get("required")):
            spec["required"] = required
        out.append(spec)
    if len(stack) > 1:
        errors.append(field_error("survey", "form.bad_sheet", "form.sheet_repeat",
                                  row=len(rows) + 1))
    return top


def _set_hint(spec: dict, row: dict, columns: set[str]) -> None:
    hint = _label(row, "hint", spec.get("hint"), columns)
    if hint is None:
        spec.pop("hint", None)
    else:
        spec["hint"] = hint


def _choices(rows, columns: set[str], base_lists: dict) -> dict:
    lists: dict[str, dict] = {}
    for _number, row in rows:
        name, value = row.get("list_name", ""), row.get("name", "")
        base = base_lists.get(name, {})
        target = lists.setdefault(name, {k: copy.deepcopy(v) for k, v in base.items()
                                         if k != "choices"} | {"choices": []})
        was = next((c for c in base.get("choices", []) if c["value"] == value), None)
        choice = copy.deepcopy(was) if was else {"value": value}
        choice["label"] = _label(row, "label", choice.get("label"), columns)
        if "retired" in columns:  # without the column each choice stays as it was
            if row.get("retired", "").lower() in YES:
                choice["retired"] = True
            else:
                choice.pop("retired", None)
        target["choices"].append(choice)
    return lists
