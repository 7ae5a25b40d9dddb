"""POST /api/sync: every result status, exactly-once storage, scope."""

import json
import re
import uuid as uuid_lib

import pytest
from sqlalchemy import func, select

from cslp_forms.extensions import db
from cslp_forms.models import Submission, SubmissionRevision
from cslp_forms.services.sync import MAX_ERRORS_PER_BATCH, MAX_ERRORS_PER_ITEM
from tests.api.sync_helpers import activity, item
from tests.conftest import assert_problem


def count_rows(app, model=Submission):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def sync(session, *items):
    res = session.post("/api/sync", json={"items": list(items)})
    assert res.status_code == 200, res.get_data(as_text=True)
    return res.get_json()["results"]


def test_three_valid_one_invalid_then_ten_replays(app, login):
    officer = login("canbo.anthanh2")
    bad = item(activity(participants_total="bốn mươi", activity_type="hop_cho",
                        laws_covered=None))
    batch = [item(), item(activity(activity_type="hoa_giai", laws_covered=None,
                                   mediations=3, mediations_success=2)), bad, item()]
    results = sync(officer, *batch)
    assert [r["status"] for r in results] == ["accepted", "accepted", "rejected", "accepted"]
    assert [r["uuid"] for r in results] == [i["uuid"] for i in batch]
    assert all(r["revision"] == 1 for r in results if r["status"] == "accepted")
    assert {(e["field"], e["code"]) for e in results[2]["errors"]} == {
        ("participants_total", "field.invalid_type"), ("activity_type", "field.not_a_choice")}
    for _ in range(10):
        again = sync(officer, *batch)
        assert [r["status"] for r in again] == ["duplicate", "duplicate", "rejected",
                                                "duplicate"]
        assert [r.get("revision") for r in again] == [1, 1, None, 1]
    assert count_rows(app) == 3
    assert count_rows(app, SubmissionRevision) == 3


def test_stored_record_keeps_indexed_columns(app, login):
    officer = login("canbo.anthanh2")
    it = item(activity(start_date="2024-03-15"))
    sync(officer, it)
    with app.app_context():
        row = db.session.get(Submission, uuid_lib.UUID(it["uuid"]))
        assert (row.form, row.form_version, row.unit.code, row.author.username) == (
            "activity", 1, "31630", "canbo.anthanh2")
        assert (row.record_date.isoformat(), row.period, row.status) == (
            "2024-03-15", "2024-03", "submitted")
        assert row.answers == it["answers"] and len(row.content_hash) == 64
        assert row.change_seq >= 1 and row.created_at.tzinfo is not None


def test_resend_with_keys_in_another_order_is_a_duplicate(login):
    officer = login("canbo.anthanh2")
    it = item()
    sync(officer, it)
    reordered = {**it, "answers": dict(reversed(list(it["answers"].items())))}
    assert sync(officer, reordered)[0]["status"] == "duplicate"


def test_edit_with_current_base_revision_is_accepted_as_next_revision(app, login):
    officer = login("canbo.anthanh2")
    it = item()
    sync(officer, it)
    edited = {**it, "base_revision": 1, "answers": activity(participants_total=50)}
    assert sync(officer, edited)[0] == {"uuid": it["uuid"], "status": "accepted",
                                        "revision": 2}
    assert sync(officer, edited)[0]["status"] == "duplicate"
    assert count_rows(app) == 1 and count_rows(app, SubmissionRevision) == 2


def test_stale_base_revision_is_a_conflict_with_the_server_copy(login):
    officer = login("canbo.anthanh2")
    it = item()
    sync(officer, it)
    sync(officer, {**it, "base_revision": 1, "answers": activity(participants_total=50)})
    stale = {**it, "base_revision": 1, "answers": activity(participants_total=60)}
    result = sync(officer, stale)[0]
    assert result["status"] == "conflict" and result["revision"] == 2
    server = result["server"]
    assert server["uuid"] == it["uuid"] and server["revision"] == 2
    assert server["answers"]["participants_total"] == 50
    assert server["unit"]["code"] == "31630"


def test_new_record_whose_uuid_holds_other_content_is_a_conflict(login):
    officer = login("canbo.anthanh2")
    it = item()
    sync(officer, it)
    result = sync(officer, {**it, "answers": activity(participants_total=99)})[0]
    assert result["status"] == "conflict" and result["server"]["revision"] == 1


def test_approved_record_is_locked(app, login):
    officer = login("canbo.anthanh2")
    it = item()
    sync(officer, it)
    with app.app_context():
        db.session.get(Submission, uuid_lib.UUID(it["uuid"])).status = "approved"
        db.session.commit()
    result = sync(officer, {**it, "base_revision": 1,
                            "answers": activity(participants_total=50)})[0]
    assert result["status"] == "locked" and result["revision"] == 1
    assert sync(officer, it)[0]["status"] == "duplicate"


def test_item_outside_the_callers_scope_is_rejected(app, login):
    officer = login("canbo.anthanh2")
    result = sync(officer, item(unit="31585"))[0]  # Xã Thiện Mỹ, Châu Thành
    assert result["status"] == "rejected"
    assert {(e["field"], e["code"]) for e in result["errors"]} == {("unit", "scope.forbidden")}
    assert count_rows(app) == 0


def test_supervisor_files_for_her_district_but_not_another(login):
    supervisor = login("giamsat.culaodung")
    results = sync(supervisor, item(unit="945"), item(unit="31633"), item(unit="942"))
    assert [r["status"] for r in results] == ["accepted", "accepted", "rejected"]


def test_another_officer_cannot_touch_a_record_by_uuid(login):
    first = login("canbo.anthanh2")
    it = item()
    sync(first, it)
    supervisor = login("giamsat.culaodung")
    result = sync(supervisor, {**it, "answers": activity(participants_total=51)})[0]
    assert result["status"] == "rejected"
    assert result["errors"][0]["code"] == "sync.unknown_record" and "server" not in result
    # The same answer as for a UUID that does not exist: nothing tells them apart.
    ghost = sync(supervisor, {**item(), "base_revision": 1})[0]
    assert ghost["errors"] == result["errors"]


@pytest.mark.parametrize("change, field, code", [
    ({"form": "meeting"}, "form", "form.unknown"),
    ({"version": 99}, "version", "form.unknown_version"),
    ({"uuid": "not-a-uuid"}, "uuid", "field.invalid_type"),
    ({"uuid": None}, "uuid", "field.null"),
    ({"version": "1"}, "version", "field.invalid_type"),
    ({"unit": "99999"}, "unit", "field.invalid_unit"),
    ({"unit": 31630}, "unit", "field.invalid_type"),
    ({"base_revision": 0}, "base_revision", "field.invalid"),
    ({"answers": []}, "answers", "field.invalid_type"),
    ({"attachments": ["x"]}, "attachments.0", "field.invalid_type"),
    ({"extra": 1}, "extra", "field.unknown"),
    ({"base_revision": 3}, "uuid", "sync.unknown_record"),
    ({"base_revision": 2**31}, "base_revision", "field.invalid"),
    ({"base_revision": 10**30}, "base_revision", "field.invalid"),
    ({"version": 10**20}, "version", "field.invalid"),
    ({"client_time": "0001-01-01T00:00:00+14:00"}, "client_time", "field.invalid"),
    ({"client_time": "9999-12-31T23:59:59-14:00"}, "client_time", "field.invalid"),
    ({"client_time": "2024-11-09T08:00:00"}, "client_time", "field.invalid_type"),
    ({"answers": {**activity(), "start_date": "0001-01-01"}}, "start_date",
     "field.invalid_type"),
])
def test_malformed_items_are_rejected_with_a_field_code(login, change, field, code):
    officer = login("canbo.anthanh2")
    result = sync(officer, {**item(), **change})[0]
    assert result["status"] == "rejected"
    assert (field, code) in {(e["field"], e["code"]) for e in result["errors"]}


def test_item_missing_required_keys(login):
    result = sync(login("canbo.anthanh2"), {"uuid": str(uuid_lib.uuid4())})[0]
    fields = {e["field"] for e in result["errors"] if e["code"] == "field.required"}
    assert fields == {"form", "version", "unit", "base_revision", "answers"}


def test_items_that_are_not_objects(login):
    results = sync(login("canbo.anthanh2"), 5, "x", None, [], item())
    assert [r["status"] for r in results] == ["rejected"] * 4 + ["accepted"]


def test_unit_answer_must_name_a_commune(login):
    officer = login("canbo.anthanh2")
    results = sync(officer, item(activity(location_unit="31633")),
                   item(activity(location_unit="945")), item(activity(location_unit="12345")))
    assert [r["status"] for r in results] == ["accepted", "rejected", "rejected"]
    assert results[1]["errors"][0] == {"field": "location_unit", "code": "field.invalid_unit",
                                      "message": results[1]["errors"][0]["message"]}


def test_batch_over_100_items_is_413(login):
    res = login("canbo.anthanh2").post("/api/sync", json={"items": [item()] * 101})
    body = assert_problem(res, 413, "sync.batch_too_large")
    assert body["max_items"] == 100


def left_out(errors) -> int:
    """How many errors the final `sync.errors_left_out` entry says were not listed."""
    last = errors[-1]
    assert (last["field"], last["code"]) == ("item", "sync.errors_left_out")
    return int(re.search(r"\d+", last["message"]).group())


def test_errors_are_capped_per_item_and_say_how_many_were_left_out(login):
    officer = login("canbo.anthanh2")
    unknown_keys = {**item(), **{f"k{i}": 1 for i in range(250_000)}}  # ~3.4 MB
    unknown_answers = item({**activity(), **{f"a{i}": 1 for i in range(300)}})
    res = officer.post("/api/sync", json={"items": [unknown_keys, unknown_answers, item()]})
    assert res.status_code == 200 and len(res.get_data()) < 50_000
    results = res.get_json()["results"]
    assert [r["status"] for r in results] == ["rejected", "rejected", "accepted"]
    for result, total in zip(results, [250_000, 300], strict=False):
        errors = result["errors"]
        assert len(errors) == MAX_ERRORS_PER_ITEM + 1
        assert all(set(e) == {"field", "code", "message"} and e["message"] for e in errors)
        assert {e["code"] for e in errors[:-1]} == {"field.unknown"}
        assert left_out(errors) == total - MAX_ERRORS_PER_ITEM


def test_answers_with_more_keys_than_any_form_are_one_error(login):
    flood = item({**activity(), **{f"a{i}": 1 for i in range(250_000)}})
    [result] = sync(login("canbo.anthanh2"), flood)
    assert result["status"] == "rejected"
    assert [(e["field"], e["code"]) for e in result["errors"]] == [("answers", "field.too_many")]


def test_errors_are_capped_per_batch(login):
    officer = login("canbo.anthanh2")
    batch = [item({**activity(), **{f"a{i}": 1 for i in range(40)}}) for _ in range(100)]
    res = officer.post("/api/sync", json={"items": batch})
    results = res.get_json()["results"]
    assert all(r["status"] == "rejected" and r["uuid"] == it["uuid"]
               for r, it in zip(results, batch, strict=True))
    listed = [e for r in results for e in r["errors"] if e["code"] != "sync.errors_left_out"]
    assert len(listed) == MAX_ERRORS_PER_BATCH
    # The first items keep all their errors; the rest say how many there were.
    full = MAX_ERRORS_PER_BATCH // 40
    assert all(len(r["errors"]) == 40 for r in results[:full])
    assert sum(left_out(r["errors"]) for r in results[full:]) == 100 * 40 - len(listed)
    assert all(r["errors"] for r in results)


@pytest.mark.parametrize("body", ['{"items": {}}', "[]", "nope", '{"items": [], "x": 1}',
                                  '{"things": []}'])
def test_malformed_batches_are_400(login, body):
    res = login("canbo.anthanh2").post("/api/sync", data=body,
                                       content_type="application/json")
    assert res.status_code == 400
    assert res.get_json()["code"] in ("request.malformed", "request.invalid")


def test_empty_batch_is_fine(login):
    assert sync(login("canbo.anthanh2")) == []


def test_sync_needs_sign_in_and_csrf(client, login):
    assert_problem(client.post("/api/sync", json={"items": []}), 401, "auth.required")
    officer = login("canbo.anthanh2")
    assert_problem(officer.client.post("/api/sync", json={"items": []}), 403,
                   "auth.csrf_failed")


def test_an_edit_cannot_change_the_form_of_a_record(app, login):
    officer = login("canbo.anthanh2")
    it = item()
    sync(officer, it)
    group = {"model_type": "chia_se", "name": "CLB Chia sẻ ấp Phước Hòa",
             "program_source": ["thuong_xuyen"], "established_date": "2023-03-08",
             "status": "dang_hoat_dong", "status_date": "2024-11-01", "members_total": 20}
    result = sync(officer, {**it, "form": "model_group", "base_revision": 1,
                            "answers": group})[0]
    assert result["status"] == "rejected"
    assert result["errors"][0]["field"] == "form"
    with app.app_context():
        row = db.session.get(Submission, uuid_lib.UUID(it["uuid"]))
        assert (row.form, row.revision, row.answers) == ("activity", 1, it["answers"])


# Not XML 1.0 `Char`: NUL and the other C0 controls but tab, LF and CR, lone surrogates,
# U+FFFE and U+FFFF (an XLSX sheet is XML: one of these broke every export holding it).
NOT_XML = [r"\ud800", r"a\u0000b", r"a\u000bb", r"\u000c", r"a\u0001", r"\u0008",
           r"\u000e", r"x\u001fy", r"\ufffe", r"\uffff", r"\udfff"]


@pytest.mark.parametrize("bad", NOT_XML)
def test_unstorable_text_rejects_the_item_not_the_batch(app, login, bad):
    officer = login("canbo.anthanh2")
    good = item()
    bad_item = json.dumps({**item(), "answers": {"title_content": "PLACEHOLDER"}})
    body = '{"items": [%s, %s]}' % (json.dumps(good),  # noqa: UP031
                                   bad_item.replace("PLACEHOLDER", bad))
    res = officer.post("/api/sync", data=body, content_type="application/json")
    assert res.status_code == 200
    results = res.get_json()["results"]
    assert [r["status"] for r in results] == ["accepted", "rejected"]
    assert results[1]["errors"][0]["code"] == "field.invalid_text"
    assert count_rows(app) == 1


@pytest.mark.parametrize("bad", [r"\u000b", r"\ufffe"])
def test_unstorable_text_in_an_answer_key_or_nested_row_is_refused(login, bad):
    officer = login("canbo.anthanh2")
    key = json.dumps({**item(), "answers": {"x" + "PLACEHOLDER": 1}})
    row = json.dumps(item({"model_type": "chia_se", "name": "Tổ", "meetings": [
        {"date": "2024-03-01", "topic": "PLACEHOLDER", "participants_total": 9}]},
        form="model_group"))
    body = '{"items": [%s, %s]}' % tuple(  # noqa: UP031
        t.replace("PLACEHOLDER", bad) for t in (key, row))
    results = officer.post("/api/sync", data=body,
                           content_type="application/json").get_json()["results"]
    assert [(r["status"], r["errors"][0]["code"]) for r in results] == [
        ("rejected", "field.invalid_text")] * 2


def test_each_record_of_a_batch_keeps_its_own_answers_and_attachments(app, login):
    """A batch's records travel to the database together (on PostgreSQL one document per
    JSON column, paired with the rest of each row by position): every record and its
    revision keep exactly what was sent for it, quotes, backslashes and all."""
    texts = ['Chị "Lan" nói: \\ không \\"', "Dòng 1\nDòng 2 – 😊", '{"a": [1, "b"]}', "",
             "\\u0041 ' \\\\ \"", "x" * 400]
    batch = [item(activity(title_content=f"Buổi {n}: {text}" if text else f"Buổi {n}",
                           notes=text or None, participants_total=40 + n,
                           participants_female=30 + n, participants_male=10),
                  attachments=[f"{n:064x}"] * (n % 2) + [f"{n + 100:064x}"])
             for n, text in enumerate(texts)]
    batch = [{**it, "answers": {k: v for k, v in it["answers"].items() if v is not None}}
             for it in batch]
    results = sync(login("canbo.anthanh2"), *batch)
    assert [r["status"] for r in results] == ["accepted"] * len(batch)
    with app.app_context():
        for sent in batch:
            uuid = uuid_lib.UUID(sent["uuid"])
            row = db.session.get(Submission, uuid)
            assert (row.answers, row.attachments) == (sent["answers"],
                                                      sorted(set(sent["attachments"])))
            revision = db.session.scalar(select(SubmissionRevision)
                                         .where(SubmissionRevision.submission_uuid == uuid))
            assert (revision.answers, revision.attachments) == (row.answers, row.attachments)


def test_tab_newline_and_carriage_return_stay_allowed(app, login):
    text = "Dòng 1\r\nDòng 2\tcột"
    [result] = sync(login("canbo.anthanh2"), item(activity(notes=text)))
    assert result["status"] == "accepted"
    with app.app_context():
        assert db.session.scalar(select(Submission.answers))["notes"] == text


@pytest.mark.parametrize("body", ["[" * 100000 + "]" * 100000,
                                  '{"items": ' + "[" * 5000 + "]" * 5000 + "}",
                                  r'{"\ud800": []}', r'{"\u000b": []}'])
def test_deep_or_unstorable_bodies_are_400(login, body):
    res = login("canbo.anthanh2").post("/api/sync", data=body,
                                       content_type="application/json")
    assert_problem(res, 400, "request.malformed")
