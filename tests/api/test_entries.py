"""Cases and model groups after approval: entries on their timeline, sent through
/api/sync with a `parent`, exactly once; the derived state; review of closures,
dissolutions and reopenings; transfer to another commune."""

import uuid as uuid_lib
from datetime import date

from sqlalchemy import select

from cslp_forms.extensions import db
from cslp_forms.models import (
    AccessLog,
    Notification,
    Submission,
    SubmissionRevision,
    User,
)
from cslp_forms.services.base.clock import local_today
from tests.api.sync_helpers import item
from tests.api.test_privacy import incident
from tests.api.test_review import decide
from tests.api.test_sync import sync
from tests.conftest import assert_problem

NOTE_MARKER = "GHI-CHU-THEO-DOI-5K8W"
OFFICER = "canbo.anthanh2"       # commune 31630, district 945
SUPERVISOR = "giamsat.culaodung"  # district 945, may read case details


def entry(parent, answers, *, form="incident_entry", unit="31630", uuid=None,
          base_revision=None):
    it = item(answers, form=form, unit=unit, uuid=uuid, base_revision=base_revision)
    it["parent"] = parent
    return it


def approved_case(login, **changes):
    """An intake with no service reached yet, approved by the district."""
    it = item(incident(services=[], **changes), form="incident")
    assert sync(login(OFFICER), it)[0]["status"] == "accepted"
    res = decide(login(SUPERVISOR), it["uuid"], "approve")
    assert res.status_code == 200 and res.get_json()["status"] == "approved", res.get_json()
    return it["uuid"]


def service(day="2024-12-03", kind="y_te", status="da_nhan"):
    return {"service_type": kind, "provider": "tram_y_te_benh_vien", "status": status,
            "date": day}


def followup(day="2024-12-03", **more):
    return {"entry_date": day, "entry_kind": "followup", "note": f"Đã thăm {NOTE_MARKER}",
            **more}


def detail(session, uuid):
    res = session.get(f"/api/submissions/{uuid}")
    assert res.status_code == 200, res.get_data(as_text=True)
    return res.get_json()


def feed(session, cursor="0"):
    body = session.get(f"/api/sync/changes?cursor={cursor}&limit=500").get_json()
    return body


# --- step 2/3: stored once, the intake untouched, the state derived --------------------

def test_follow_up_with_a_service_reached_is_stored_once_and_derives_the_state(app, login):
    case = approved_case(login)
    officer = login(OFFICER)
    before = detail(officer, case)
    visit = entry(case, followup("2024-12-03", services=[service("2024-12-02")],
                                 next_followup_date="2024-12-17"))
    first = sync(officer, visit)[0]
    assert first["status"] == "accepted" and first["revision"] == 1
    assert sync(officer, visit)[0]["status"] == "duplicate"
    changed = {**visit, "answers": {**visit["answers"], "note": "khác"}}
    assert sync(officer, changed)[0]["status"] == "conflict"

    after = detail(officer, case)
    assert (after["revision"], after["answers"], after["status"]) == (
        before["revision"], before["answers"], "approved")
    assert [e["uuid"] for e in after["timeline"]] == [visit["uuid"]]
    stored = after["timeline"][0]
    assert stored["status"] == "approved" and stored["parent"] == case
    assert stored["answers"]["note"].endswith(NOTE_MARKER)
    state = after["state"]
    assert state["services_reached"] == [
        {"service_type": "y_te", "provider": "tram_y_te_benh_vien", "date": "2024-12-02"}]
    assert state["first_service_date"] == "2024-12-02"
    assert state["next_followup_date"] == "2024-12-17"
    assert state["status"] == "dang_ho_tro" and state["closed"] is False
    assert state["holder_unit"] == "31630" and state["worker"] == OFFICER
    with app.app_context():
        assert db.session.scalar(select(SubmissionRevision.revision).where(
            SubmissionRevision.submission_uuid == uuid_lib.UUID(case))) == 1


def test_two_phones_add_entries_offline_both_arrive_once_in_date_order(login):
    case = approved_case(login)
    phone_a, phone_b = login(OFFICER), login(OFFICER)
    late = entry(case, followup("2024-12-10"))
    early = entry(case, {"entry_date": "2024-12-05", "entry_kind": "referral",
                         "referral_service": "tro_giup_phap_ly", "referral_to": "trung_tam_tgpl"})
    assert sync(phone_a, late)[0]["status"] == "accepted"
    assert sync(phone_b, early)[0]["status"] == "accepted"
    # Each phone sends its outbox again when the signal comes back.
    assert sync(phone_a, late)[0]["status"] == "duplicate"
    assert sync(phone_b, early)[0]["status"] == "duplicate"
    shown = detail(login(SUPERVISOR), case)
    assert [e["uuid"] for e in shown["timeline"]] == [early["uuid"], late["uuid"]]
    assert shown["state"]["open_referrals"] == [
        {"service_type": "tro_giup_phap_ly", "provider": "trung_tam_tgpl",
         "date": "2024-12-05", "uuid": early["uuid"]}]


def test_an_entry_needs_an_approved_case_she_holds(login):
    officer = login(OFFICER)
    pending = item(incident(services=[]), form="incident")
    assert sync(officer, pending)[0]["status"] == "accepted"
    activity_item = item()
    assert sync(officer, activity_item)[0]["status"] == "accepted"
    case = approved_case(login)

    def refused(it, session=officer):
        result = sync(session, it)[0]
        assert result["status"] == "rejected", result
        return {(e["field"], e["code"]) for e in result["errors"]}

    assert refused(entry(pending["uuid"], followup())) == {
        ("parent", "entry.parent_not_approved")}
    assert refused(entry(None, followup())) == {("parent", "field.required")}
    assert refused(entry(activity_item["uuid"], followup())) == {
        ("parent", "entry.parent_not_found")}
    assert refused(entry(str(uuid_lib.uuid4()), followup())) == {
        ("parent", "entry.parent_not_found")}
    assert refused(entry(case, followup(), unit="31633")) == {("unit", "entry.wrong_unit")}
    assert refused(entry(case, followup(), unit="31633"), login("canbo.anthanh3")) == {
        ("parent", "entry.parent_not_found")}
    ordinary = item()
    ordinary["parent"] = case
    assert refused(ordinary) == {("parent", "field.not_relevant")}
    assert refused(entry(case, {"entry_date": "2024-12-03", "entry_kind": "followup"})) == {
        ("note", "field.required")}


def test_a_supervisors_entry_is_in_the_case_workers_feed(login):
    case = approved_case(login)
    officer = login(OFFICER)
    cursor = feed(officer)["cursor"]
    visit = entry(case, followup("2024-12-04"))
    assert sync(login(SUPERVISOR), visit)[0]["status"] == "accepted"
    changes = feed(officer, cursor)["changes"]
    assert [(c["uuid"], c["parent"], c["stub"]) for c in changes] == [
        (visit["uuid"], case, True)]
    assert NOTE_MARKER not in str(changes)
    assert [e["uuid"] for e in detail(officer, case)["timeline"]] == [visit["uuid"]]


def test_entry_notes_are_sealed_and_each_read_is_logged(app, login):
    case = approved_case(login)
    visit = entry(case, followup("2024-12-04"))
    assert sync(login(OFFICER), visit)[0]["status"] == "accepted"
    detail(login(SUPERVISOR), case)
    with app.app_context():
        row = db.session.get(Submission, uuid_lib.UUID(visit["uuid"]))
        assert row.sealed and NOTE_MARKER not in str(row.answers)
        assert NOTE_MARKER.encode() not in row.sealed
        assert row.answers == {"entry_date": "2024-12-04", "entry_kind": "followup"}
        revision = db.session.scalar(select(SubmissionRevision).where(
            SubmissionRevision.submission_uuid == row.uuid))
        assert NOTE_MARKER not in str(revision.answers)
        reads = db.session.execute(select(AccessLog.action, AccessLog.allowed).join(
            AccessLog.user).where(AccessLog.submission_uuid == row.uuid)).all()
        assert ("change", True) in reads and ("read", True) in reads


def test_need_to_know_covers_the_whole_timeline(login):
    case = approved_case(login)
    assert sync(login(OFFICER), entry(case, followup()))[0]["status"] == "accepted"
    assert login("phogiamsat.culaodung").get(f"/api/submissions/{case}").status_code == 403
    assert login("canbo.anthanh3").get(f"/api/submissions/{case}").status_code == 404
    sibling = feed(login("canbo.anthanh3"))["changes"]
    assert sibling == []


# --- groups ---------------------------------------------------------------------------

def group_answers(**changes):
    return {"model_type": "gia_dinh_hanh_phuc", "name": "CLB Gia đình hạnh phúc ấp Phước Hòa",
            "program_source": ["thuong_xuyen"], "established_date": "2023-05-01",
            "status": "dang_hoat_dong", "status_date": "2024-01-10", "members_total": 20,
            "members_female": 15, "members_male": 5, **changes}


def approved_group(login):
    it = item(group_answers(), form="model_group")
    assert sync(login(OFFICER), it)[0]["status"] == "accepted"
    assert decide(login(SUPERVISOR), it["uuid"], "approve").status_code == 200
    res = decide(login("giamsat.tinh"), it["uuid"], "approve")
    assert res.get_json()["status"] == "approved", res.get_json()
    return it["uuid"]


def meeting(day, total=18):
    return {"entry_date": day, "entry_kind": "meeting", "topic": "Phòng, chống bạo lực gia đình",
            "participants_total": total, "participants_female": 12}


def test_a_group_meeting_after_approval_counts_without_review(login):
    group = approved_group(login)
    today = date.today().isoformat()
    officer = login(OFFICER)
    met = entry(group, meeting(today), form="model_group_entry")
    grown = entry(group, {"entry_date": today, "entry_kind": "membership",
                          "members_total": 24, "members_female": 18, "members_male": 6},
                  form="model_group_entry")
    results = sync(officer, met, grown)
    assert [r["status"] for r in results] == ["accepted", "accepted"]
    assert sync(officer, met)[0]["status"] == "duplicate"
    shown = detail(login(SUPERVISOR), group)
    assert {e["status"] for e in shown["timeline"]} == {"approved"}
    state = shown["state"]
    assert state["last_meeting_date"] == today and state["meetings_this_quarter"] == 1
    assert (state["members_total"], state["members_female"]) == (24, 18)
    assert state["status"] == "dang_hoat_dong" and state["active"] is True
    assert login(SUPERVISOR).get("/api/review/queue?form=model_group_entry&status=submitted") \
        .get_json()["total"] == 0


# --- step 4: review where it matters --------------------------------------------------

def refused_codes(result):
    assert result["status"] == "rejected", result
    return {(e["field"], e["code"]) for e in result["errors"]}


def test_closing_goes_to_the_supervisor_and_a_closed_case_takes_only_a_reopening(login):
    case = approved_case(login)
    officer, supervisor = login(OFFICER), login(SUPERVISOR)
    # No service reached: "safe and stable" does not say why.
    unexplained = entry(case, {"entry_date": "2024-12-10", "entry_kind": "closure",
                               "closure_reason": "an_toan_on_dinh"})
    assert refused_codes(sync(officer, unexplained)[0]) == {
        ("closure_reason", "entry.closure_needs_reason")}
    closure = entry(case, {"entry_date": "2024-12-10", "entry_kind": "closure",
                           "closure_reason": "mat_lien_lac"})
    sent = sync(officer, closure)[0]
    assert (sent["status"], sent["revision"]) == ("accepted", 1)
    queue = supervisor.get("/api/review/queue?form=incident_entry").get_json()["records"]
    assert [(r["uuid"], r["status"], r["awaiting_me"]) for r in queue] == [
        (closure["uuid"], "submitted", True)]
    assert detail(officer, case)["state"]["closed"] is False

    res = decide(supervisor, closure["uuid"], "return", comment="Hãy thử liên lạc lần nữa.")
    assert res.status_code == 200 and res.get_json()["status"] == "returned"
    shown = detail(officer, closure["uuid"])
    assert shown["status"] == "returned"
    assert shown["review"]["comment"] == "Hãy thử liên lạc lần nữa."
    in_timeline = detail(officer, case)["timeline"][0]
    assert in_timeline["review"]["comment"] == "Hãy thử liên lạc lần nữa."
    assert detail(officer, case)["state"]["pending"][0]["status"] == "returned"

    again = {**closure, "base_revision": 1,
             "answers": {**closure["answers"], "closure_reason": "tu_choi_ho_tro"}}
    assert sync(officer, again)[0] == {"uuid": closure["uuid"], "status": "accepted",
                                       "revision": 2}
    res = decide(supervisor, closure["uuid"], "approve", revision=2)
    assert res.get_json()["status"] == "approved"
    state = detail(officer, case)["state"]
    assert (state["status"], state["closed"], state["pending"]) == ("da_dong", True, [])

    assert refused_codes(sync(officer, entry(case, followup("2024-12-12")))[0]) == {
        ("entry_kind", "entry.case_closed")}
    reopening = entry(case, {"entry_date": "2025-01-05", "entry_kind": "reopening",
                             "note": "Chị quay lại nhờ hỗ trợ.",
                             "next_followup_date": "2025-01-12"})
    assert sync(officer, reopening)[0]["status"] == "accepted"
    assert detail(officer, case)["state"]["closed"] is True  # until it is approved
    assert decide(supervisor, reopening["uuid"], "approve").get_json()["status"] == "approved"
    state = detail(officer, case)["state"]
    assert (state["status"], state["closed"], state["next_followup_date"]) == (
        "dang_ho_tro", False, "2025-01-12")
    assert sync(officer, entry(case, followup("2025-01-12")))[0]["status"] == "accepted"


def test_an_open_case_needs_no_reopening(login):
    case = approved_case(login)
    result = sync(login(OFFICER), entry(case, {"entry_date": "2024-12-10",
                                               "entry_kind": "reopening", "note": "x"}))[0]
    assert refused_codes(result) == {("entry_kind", "entry.case_not_closed")}


def test_a_service_reached_lets_a_case_close_as_safe_and_stable(login):
    case = approved_case(login)
    officer = login(OFFICER)
    assert sync(officer, entry(case, {"entry_date": "2024-12-03", "entry_kind": "service",
                                      "services": [service()]}))[0]["status"] == "accepted"
    closure = entry(case, {"entry_date": "2024-12-10", "entry_kind": "closure",
                           "closure_reason": "an_toan_on_dinh"})
    assert sync(officer, closure)[0]["status"] == "accepted"


def test_dissolving_a_group_needs_approval_a_pause_does_not(login):
    group = approved_group(login)
    officer, supervisor = login(OFFICER), login(SUPERVISOR)
    pause = entry(group, {"entry_date": "2024-08-01", "entry_kind": "status",
                          "group_status": "tam_ngung"}, form="model_group_entry")
    dissolve = entry(group, {"entry_date": "2024-09-01", "entry_kind": "status",
                             "group_status": "giai_the"}, form="model_group_entry")
    assert [r["status"] for r in sync(officer, pause, dissolve)] == ["accepted", "accepted"]
    shown = detail(supervisor, group)
    assert {e["uuid"]: e["status"] for e in shown["timeline"]} == {
        pause["uuid"]: "approved", dissolve["uuid"]: "submitted"}
    assert shown["state"]["status"] == "tam_ngung"
    assert decide(supervisor, dissolve["uuid"], "approve").get_json()["status"] == "approved"
    assert detail(officer, group)["state"]["status"] == "giai_the"


# --- step 5: transfer -----------------------------------------------------------------

def test_a_transfer_moves_the_case_with_its_timeline_to_the_receiving_commune(app, login):
    case = approved_case(login)
    sender, receiver = login(OFFICER), login("canbo.anthanh3")
    supervisor = login(SUPERVISOR)
    early = entry(case, followup("2024-12-01"))
    move = entry(case, {"entry_date": "2024-12-10", "entry_kind": "transfer",
                        "transfer_unit": "31633", "note": "Chị chuyển về nhà mẹ."})
    assert [r["status"] for r in sync(sender, early, move)] == ["accepted", "accepted"]
    assert receiver.get(f"/api/submissions/{case}").status_code == 404  # not yet approved
    assert decide(supervisor, move["uuid"], "approve").get_json()["status"] == "approved"

    pulled = {c["uuid"] for c in feed(receiver)["changes"]}
    assert {case, early["uuid"], move["uuid"]} <= pulled
    shown = detail(receiver, case)
    assert [e["uuid"] for e in shown["timeline"]] == [early["uuid"], move["uuid"]]
    assert shown["state"]["holder_unit"] == "31633"
    assert shown["state"]["holders"] == [
        {"unit": "31630", "from": "2024-11-25", "to": "2024-12-10"},
        {"unit": "31633", "from": "2024-12-10", "to": None}]
    assert shown["holder_unit"]["code"] == "31633"

    cursor = feed(sender)["cursor"]
    later = entry(case, followup("2024-12-20"), unit="31633")
    assert sync(receiver, later)[0]["status"] == "accepted"
    assert refused_codes(sync(sender, entry(case, followup("2024-12-21")))[0]) == {
        ("parent", "entry.not_holder")}
    assert feed(sender, cursor)["changes"] == []
    mine = detail(sender, case)
    assert [e["uuid"] for e in mine["timeline"]] == [early["uuid"], move["uuid"]]
    assert detail(receiver, case)["state"]["worker"] == "canbo.anthanh3"
    assert later["uuid"] in {c["uuid"] for c in feed(receiver)["changes"]}
    with app.app_context():
        readers = set(db.session.execute(
            select(AccessLog.user_id, AccessLog.action).where(
                AccessLog.submission_uuid == uuid_lib.UUID(case),
                AccessLog.action == "read")).all())
        told = [db.session.get(User, n.user_id).username for n in db.session.scalars(
            select(Notification).where(Notification.kind == "transfer"))]
        names = {db.session.get(User, uid).username for uid, _ in readers}
    assert {OFFICER, "canbo.anthanh3"} <= names
    assert told == ["canbo.anthanh3"]


# --- step 6: reminders from the timeline ---------------------------------------------

def test_a_follow_up_date_reminds_the_case_worker_that_morning_once(app, login):
    from sqlalchemy.orm import Session

    from cslp_forms.services.base import push
    from cslp_forms.services.tasks.reminders import send_reminders
    from tests.api.test_deadlines import at
    from tests.api.test_push_queue import subscription
    from tests.fake_push import FakePushService

    service = FakePushService()
    try:
        case = approved_case(login)
        officer = login(OFFICER)
        assert officer.post("/api/push/subscriptions", json=subscription(
            service.url, "phone", service)).status_code == 201
        # Written on 3/12: see her again tomorrow, 4/12.
        visit = entry(case, followup("2024-12-03", next_followup_date="2024-12-04"))
        assert sync(officer, visit)[0]["status"] == "accepted"

        def run(now):
            """The timer with its clock injected: reminders, then the push round."""
            with app.app_context():
                sent = [s for s in send_reminders(now=at(now)) if s["kind"] == "followup"]
                db.session.commit()
                with Session(db.engine) as session:
                    push.deliver_due(session, at(now))
            return sent

        assert run("2024-12-03T10:00:00") == []  # 17:00 the day before
        first = run("2024-12-04T00:30:00")  # 07:30 in Sóc Trăng, the day itself
        assert [(s["uuid"], s["unit"]) for s in first] == [(case, "31630")]
        pushed = service.wait(1)
        assert len(pushed) == 1 and pushed[0]["device"] == "phone"
        assert pushed[0]["payload"]["url"] == f"/#/record/{case}"
        assert run("2024-12-04T03:00:00") == []  # the timer runs again
        assert run("2024-12-04T09:00:00") == []
        assert len(service.wait(2, seconds=1)) == 1
        notices = [n for n in officer.get("/api/notifications").get_json()["notifications"]
                   if n["kind"] == "followup"]
        assert len(notices) == 1 and notices[0]["url"] == f"/#/record/{case}"
        assert NOTE_MARKER not in str(notices) + str(pushed)
    finally:
        service.close()


def test_a_follow_up_done_a_day_early_reminds_nobody(app, login):
    from cslp_forms.services.tasks.reminders import send_reminders
    from tests.api.test_deadlines import at

    case = approved_case(login)
    officer = login(OFFICER)
    sync(officer, entry(case, followup("2024-12-03", next_followup_date="2024-12-10")))
    sync(officer, entry(case, followup("2024-12-09")))  # she went a day early
    with app.app_context():
        assert [s for s in send_reminders(now=at("2024-12-10T01:00:00"))
                if s["kind"] == "followup"] == []


def test_the_supervisor_sees_forgotten_cases_and_groups_without_a_meeting(login):
    case = approved_case(login)
    group = approved_group(login)
    quiet = approved_group(login)
    officer, supervisor = login(OFFICER), login(SUPERVISOR)
    sync(officer, entry(case, followup("2024-12-03")))
    sync(officer, entry(group, meeting("2024-11-20"), form="model_group_entry"))

    def overdue(on):
        res = supervisor.get(f"/api/reminders/overdue?on={on}")
        assert res.status_code == 200, res.get_data(as_text=True)
        return res.get_json()

    soon = overdue("2024-12-20")
    assert soon["cases"] == []
    assert [g["uuid"] for g in soon["groups"]] == [quiet]
    late = overdue("2025-01-03")
    assert [(c["uuid"], c["days_without_entry"], c["last_entry_date"]) for c in late["cases"]] \
        == [(case, 31, "2024-12-03")]
    assert NOTE_MARKER not in str(late)
    assert {g["uuid"] for g in late["groups"]} == {group, quiet}  # a new quarter
    assert login(OFFICER).get("/api/reminders/overdue").status_code == 403
    assert login("giamsat.chauthanh").get("/api/reminders/overdue?on=2025-01-03") \
        .get_json()["cases"] == []



def test_the_supervisor_nudges_whoever_follows_a_forgotten_case_or_group(app, login):
    case = approved_case(login)  # no entry since its intake in 2024: on today's list
    group = approved_group(login)  # no meeting this quarter
    supervisor, officer = login(SUPERVISOR), login(OFFICER)

    def nudge(session, uuid):
        return session.post("/api/reminders/overdue/nudge", json={"uuid": uuid})

    res = nudge(supervisor, case)
    assert res.status_code == 200, res.get_data(as_text=True)
    assert res.get_json()["notified"] == 1
    assert NOTE_MARKER not in res.get_json()["message"]
    assert nudge(supervisor, case).get_json()["notified"] == 0  # once a day
    assert nudge(supervisor, group).get_json()["notified"] >= 1
    inbox = officer.get("/api/notifications").get_json()["notifications"]
    mine = [n for n in inbox if n["kind"] == "nudge"]
    assert {n["url"] for n in mine} == {f"/#/record/{case}", f"/#/record/{group}"}
    assert all(NOTE_MARKER not in n["body"] for n in mine)
    assert_problem(nudge(officer, case), 403, "auth.forbidden")
    assert_problem(nudge(login("giamsat.chauthanh"), case), 404, "followup.not_overdue")
    with app.app_context():
        today = local_today()
    sync(officer, entry(case, followup(today.isoformat())))
    assert_problem(nudge(supervisor, case), 404, "followup.not_overdue")  # followed up now
    assert_problem(nudge(supervisor, "x"), 400, "request.invalid")


def test_the_overdue_list_says_which_lines_nobody_can_be_nudged_about(app, login):
    case = approved_case(login)
    group = approved_group(login)
    supervisor = login(SUPERVISOR)

    def lines():
        late = supervisor.get("/api/reminders/overdue").get_json()
        return {line["uuid"]: line["nudgeable"] for line in late["cases"] + late["groups"]}

    assert lines() == {case: True, group: True}
    with app.app_context():  # every officer of commune 31630 leaves
        commune = db.session.scalar(select(User.unit_id).where(User.username == OFFICER))
        officers = db.session.scalars(select(User).where(
            User.unit_id == commune, User.role.not_in(("supervisor", "admin")))).all()
        assert officers
        for user in officers:
            user.active = False
        first = officers[0].id
        db.session.commit()
    assert lines() == {case: False, group: False}
    res = supervisor.post("/api/reminders/overdue/nudge", json={"uuid": case})
    assert_problem(res, 409, "followup.nobody")
    with app.app_context():  # one comes back: the nudge reaches her again
        db.session.get(User, first).active = True
        db.session.commit()
    assert lines() == {case: True, group: True}


def test_a_case_an_administrator_filed_for_the_commune_reminds_its_officers(app, login):
    """The data-entry account that filed it (a supervisor's or an administrator's) does
    not follow it up: the commune's officers are reminded."""
    case = approved_case(login)
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.role == "admin"))
        db.session.get(Submission, uuid_lib.UUID(case)).author_id = admin.id
        db.session.commit()
        admin_id = admin.id
    res = login(SUPERVISOR).post("/api/reminders/overdue/nudge", json={"uuid": case})
    assert res.status_code == 200, res.get_data(as_text=True)
    assert res.get_json()["notified"] >= 1
    with app.app_context():
        told = set(db.session.scalars(select(Notification.user_id).where(
            Notification.kind == "nudge")))
        officer = db.session.scalar(select(User.id).where(User.username == OFFICER))
    assert officer in told and admin_id not in told

# --- step 7: indicators follow the timeline -------------------------------------------

def indicator(session, code, **args):
    query = "&".join(f"{k}={v}" for k, v in {"unit": "945", **args}.items())
    res = session.get(f"/api/reports/indicators?{query}")
    assert res.status_code == 200, res.get_data(as_text=True)
    found = next(i for i in res.get_json()["indicators"] if i["code"] == code)
    return found["actual"], {p["key"]: p["value"] for p in found["parts"]}


def test_a_service_reached_in_an_entry_counts_in_the_period_of_its_date(login):
    case = approved_case(login)  # intake 25/11/2024, domestic violence, no service yet
    supervisor = login(SUPERVISOR)
    assert indicator(supervisor, "K08", year=2024) == (0.0, {
        "cases": 1, "reached": 0, "supported": 0, "served": 0, "referrals": 0})
    sent = sync(login(OFFICER), entry(case, {
        "entry_date": "2024-12-03", "entry_kind": "service", "services": [service()]}))
    assert sent[0]["status"] == "accepted"
    _, november = indicator(supervisor, "K08", year=2024, period="2024-11")
    _, december = indicator(supervisor, "K08", year=2024, period="2024-12")
    year = indicator(supervisor, "K08", year=2024)
    _, next_year = indicator(supervisor, "K08", year=2025)
    assert (november["cases"], november["reached"], november["served"]) == (1, 0, 0)
    assert (december["cases"], december["served"], december["supported"]) == (0, 1, 1)
    assert year == (100.0, {"cases": 1, "reached": 1, "supported": 1, "served": 1,
                            "referrals": 0})
    assert (next_year["served"], next_year["supported"]) == (0, 0)


def test_a_case_without_consent_to_statistics_counts_no_entry(login):
    case = approved_case(login, consent_reporting=False)
    sync(login(OFFICER), entry(case, {"entry_date": "2024-12-03", "entry_kind": "referral",
                                      "referral_service": "y_te",
                                      "referral_to": "tram_y_te_benh_vien"}))
    assert indicator(login(SUPERVISOR), "K08", year=2024)[1] == {
        "cases": 0, "reached": 0, "supported": 0, "served": 0, "referrals": 0}


def test_meetings_logged_after_approval_count_the_group_active_this_quarter(login):
    group = approved_group(login)
    supervisor = login(SUPERVISOR)
    officer = login(OFFICER)
    assert indicator(supervisor, "K05", year=2024, period="Q4") == (
        1, {"members": 20, "met": 0, "meetings": 0})
    sync(officer, entry(group, meeting("2024-10-15"), form="model_group_entry"),
         entry(group, meeting("2024-11-20"), form="model_group_entry"),
         entry(group, {"entry_date": "2024-11-01", "entry_kind": "membership",
                       "members_total": 24}, form="model_group_entry"))
    assert indicator(supervisor, "K05", year=2024, period="Q4") == (
        1, {"members": 24, "met": 1, "meetings": 2})
    assert indicator(supervisor, "K05", year=2024, period="Q3") == (
        1, {"members": 20, "met": 0, "meetings": 0})
    dissolve = entry(group, {"entry_date": "2024-12-01", "entry_kind": "status",
                             "group_status": "giai_the"}, form="model_group_entry")
    sync(officer, dissolve)
    assert indicator(supervisor, "K05", year=2024, period="Q4")[0] == 1  # until approved
    decide(supervisor, dissolve["uuid"], "approve")
    assert indicator(supervisor, "K05", year=2024, period="Q4")[0] == 0
    assert indicator(supervisor, "K05", year=2024, period="Q3")[0] == 1


def export_rows(session, **args):
    import csv
    import io

    query = "&".join(f"{k}={v}" for k, v in {"format": "csv", "unit": "945", **args}.items())
    res = session.get(f"/api/reports/export?{query}")
    assert res.status_code == 200, res.get_data(as_text=True)
    text = res.get_data(as_text=True).lstrip("\ufeff")
    return list(csv.DictReader(io.StringIO(text), quoting=csv.QUOTE_NONNUMERIC))


def test_exports_have_one_row_per_entry_and_the_state_per_case(login):
    case = approved_case(login)
    group = approved_group(login)
    officer, supervisor = login(OFFICER), login(SUPERVISOR)
    first, second = entry(case, followup("2024-12-03", next_followup_date="2024-12-17")), \
        entry(case, {"entry_date": "2024-12-05", "entry_kind": "service",
                     "services": [service("2024-12-05")]})
    sync(officer, first, second,
         entry(group, meeting("2024-11-20"), form="model_group_entry"))
    rows = export_rows(supervisor, form="incident_entry")
    assert [(r["Mã phiếu"], r["Thuộc vụ việc / mô hình (mã phiếu)"]) for r in rows] == [
        (first["uuid"], case), (second["uuid"], case)]
    assert NOTE_MARKER not in str(rows)  # free text stays out of a district's export
    cases = export_rows(supervisor, form="incident")
    assert [(r["Mã phiếu"], r["Đã nhận ít nhất 1 dịch vụ"], r["Lần ghi nhận gần nhất"],
             r["Ngày theo dõi tiếp theo"], r["Số lần ghi nhận sau duyệt"]) for r in cases] == [
        (case, "Có", "2024-12-05", "2024-12-17", 2)]
    groups = export_rows(supervisor, form="model_group")
    assert [(r["Tình trạng hiện tại"], r["Buổi sinh hoạt gần nhất"], r["Số buổi sinh hoạt"])
            for r in groups] == [("Đang hoạt động", "2024-11-20", 1)]


def test_a_closure_sent_with_the_visit_that_reached_a_service_sees_it(login):
    case = approved_case(login)
    visit = entry(case, {"entry_date": "2024-12-03", "entry_kind": "service",
                         "services": [service()]},
                  uuid="ffffffff-0000-4000-8000-000000000000")  # after the closure by UUID
    closing = entry(case, {"entry_date": "2024-12-10", "entry_kind": "closure",
                           "closure_reason": "an_toan_on_dinh"},
                    uuid="00000000-0000-4000-8000-000000000000")
    results = sync(login(OFFICER), closing, visit)
    assert [r["status"] for r in results] == ["accepted", "accepted"], results


def test_the_queue_holds_entries_that_wait_for_a_decision_not_routine_ones(login):
    case = approved_case(login)
    officer, supervisor = login(OFFICER), login(SUPERVISOR)
    visit = entry(case, followup("2024-12-03"))
    closing = entry(case, {"entry_date": "2024-12-10", "entry_kind": "closure",
                           "closure_reason": "mat_lien_lac"})
    sync(officer, visit, closing)
    queued = {r["uuid"]: r for r in supervisor.get("/api/review/queue").get_json()["records"]}
    assert visit["uuid"] not in queued
    assert (queued[closing["uuid"]]["parent"], queued[closing["uuid"]]["kind"],
            queued[closing["uuid"]]["awaiting_me"]) == (case, "closure", True)
    assert queued[case]["parent"] is None
    asked = supervisor.get("/api/review/queue?form=incident_entry").get_json()["records"]
    assert {r["uuid"] for r in asked} == {visit["uuid"], closing["uuid"]}


def test_a_transfer_to_another_district_moves_who_supervises_it(login):
    case = approved_case(login)
    sender = login(OFFICER)
    move = entry(case, {"entry_date": "2024-12-10", "entry_kind": "transfer",
                        "transfer_unit": "31585", "note": "Chị chuyển về Thiện Mỹ."})
    assert sync(sender, move)[0]["status"] == "accepted"
    receiving_district = login("giamsat.chauthanh")
    assert receiving_district.get(f"/api/submissions/{case}").status_code == 404
    assert decide(login(SUPERVISOR), move["uuid"], "approve").status_code == 200
    assert detail(receiving_district, case)["state"]["holder_unit"] == "31585"
    receiver = login("canbo.thienmy")
    later = entry(case, followup("2024-12-20"), unit="31585")
    assert sync(receiver, later)[0]["status"] == "accepted"
    shown = detail(receiving_district, case)
    assert [e["uuid"] for e in shown["timeline"]] == [move["uuid"], later["uuid"]]
    # The sending district keeps the case it approved but not what came after.
    sending = detail(login(SUPERVISOR), case)
    assert [e["uuid"] for e in sending["timeline"]] == [move["uuid"]]
    overdue = receiving_district.get("/api/reminders/overdue?on=2025-02-01").get_json()
    assert [c["uuid"] for c in overdue["cases"]] == [case]
    assert login(SUPERVISOR).get("/api/reminders/overdue?on=2025-02-01") \
        .get_json()["cases"] == []


def test_a_group_of_a_merged_commune_belongs_to_the_successor(app, login):
    from cslp_forms.services.base import units as unit_service
    from cslp_forms.services.users import create_user
    from tests.conftest import PASSWORD

    group = approved_group(login)  # An Thạnh 2 (31630), 2024
    case = approved_case(login)
    with app.app_context():
        rows = unit_service.read_unit_file(unit_service.MAPPING_2025)[1]
        unit_service.apply_mapping(rows, effective=unit_service.EFFECTIVE_2025)
        # Xã Cù Lao Dung (31633 from 1/7/2025) took over An Thạnh 2, 3 and others.
        create_user(username="canbo.culaodung", display_name="Cán bộ xã Cù Lao Dung",
                    password=PASSWORD, role="officer", unit_code="31633")
        db.session.commit()
    successor = login("canbo.culaodung")
    assert detail(successor, group)["uuid"] == group
    assert successor.get(f"/api/submissions/{case}").status_code == 404  # need to know
    assert group in {c["uuid"] for c in feed(successor)["changes"]}
    met = entry(group, meeting("2025-08-05"), form="model_group_entry", unit="31633")
    assert sync(successor, met)[0]["status"] == "accepted"
    old_code = entry(group, meeting("2025-08-06"), form="model_group_entry", unit="31630")
    assert refused_codes(sync(successor, old_code)[0]) == {("unit", "entry.wrong_unit")}
    shown = detail(successor, group)
    assert [e["uuid"] for e in shown["timeline"]] == [met["uuid"]]
    assert shown["timeline"][0]["unit"]["name"] == "Xã Cù Lao Dung"
    assert shown["state"]["last_meeting_date"] == "2025-08-05"
    # A meeting dated before the merger is still An Thạnh 2's.
    before = entry(group, meeting("2025-06-20"), form="model_group_entry", unit="31630")
    assert sync(login(OFFICER), before)[0]["status"] == "accepted"
