"""Survivors' data: sealed at rest, need to know, every read logged, retention, keys."""

import uuid as uuid_lib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from cslp_forms.extensions import db
from cslp_forms.models import AccessLog, PurgeLog, Submission, SubmissionRevision
from tests.api.sync_helpers import item
from tests.api.test_sync import sync
from tests.conftest import assert_problem

MARKER = "DẤU-VẾT-7Q3Z"


def incident(**changes):
    answers = {
        "survivor_code": "K7QM-2XPA", "intake_date": "2024-11-25", "intake_channel": "truc_tiep",
        "incident_unit": "31630", "case_category": ["bao_luc_gia_dinh"], "dv_acts": ["a", "b"],
        "dv_forms": ["the_chat", "tinh_than"], "survivor_sex": "nu",
        "survivor_age_group": "18_59", "risk_level": "cao", "immediate_danger": False,
        "consent_services": "dong_y", "consent_given_by": "ban_than", "consent_reporting": True,
        "case_status": "dang_ho_tro", "summary": f"Chồng đánh, hàng xóm báo tin {MARKER}",
        "services": [{"service_type": "y_te", "provider": "tram_y_te_benh_vien",
                      "status": "da_nhan", "date": "2024-11-26"}],
    }
    return {**answers, **changes}


def file_incident(login, **changes):
    it = item(incident(**changes), form="incident")
    result = sync(login("canbo.anthanh2"), it)[0]
    assert result["status"] == "accepted", result
    return it


def test_incident_details_are_sealed_and_only_plain_fields_stay_readable(app, login):
    it = file_incident(login)
    with app.app_context():
        row = db.session.get(Submission, uuid_lib.UUID(it["uuid"]))
        assert MARKER not in str(row.answers) and row.sealed and row.key_id
        assert row.answers == {
            "intake_date": "2024-11-25", "intake_channel": "truc_tiep", "incident_unit": "31630",
            "case_category": ["bao_luc_gia_dinh"], "survivor_sex": "nu",
            "survivor_age_group": "18_59", "risk_level": "cao", "immediate_danger": False,
            "consent_services": "dong_y", "consent_reporting": True,
            "case_status": "dang_ho_tro", "accessed_any_service": True}
        assert MARKER.encode() not in row.sealed
        rev = db.session.scalar(select(SubmissionRevision))
        assert rev.sealed and MARKER not in str(rev.answers)


def test_resending_a_sealed_incident_is_a_duplicate(login):
    it = file_incident(login)
    assert sync(login("canbo.anthanh2"), it)[0]["status"] == "duplicate"


# (viewer, detail status, may the details show)
MATRIX = [
    ("canbo.anthanh2", 200),          # the author (case worker)
    ("canbo.anthanh3", 404),          # officer of a sibling commune
    ("canbo.thienmy", 404),           # officer of another district
    ("giamsat.culaodung", 200),       # her district, incident reviewer
    ("phogiamsat.culaodung", 403),    # her district, no incident permission
    ("giamsat.chauthanh", 404),       # another district's reviewer
    ("giamsat.tinh", 200),            # the province, incident reviewer
    ("admin.tinh", 403),              # the province administrator without the permission
]


@pytest.mark.parametrize("viewer, status", MATRIX)
def test_access_matrix_no_detail_leaks(login, viewer, status):
    it = file_incident(login)
    session = login(viewer)
    detail = session.get(f"/api/submissions/{it['uuid']}")
    history = session.get(f"/api/submissions/{it['uuid']}/history")
    assert (detail.status_code, history.status_code) == (status, status)
    shown = MARKER in detail.get_data(as_text=True)
    assert shown == (status == 200)
    assert (MARKER in history.get_data(as_text=True)) == (status == 200)
    if status == 403:
        assert detail.get_json()["code"] == "incident.not_permitted"
    changes = session.get("/api/sync/changes").get_data(as_text=True)
    assert MARKER not in changes and "Chồng đánh" not in changes
    if viewer != "canbo.anthanh2" and session.me["role"] != "officer":
        queue = session.get("/api/review/queue")
        assert MARKER not in queue.get_data(as_text=True)


def test_the_pull_feed_carries_a_stub(login):
    it = file_incident(login)
    [change] = login("canbo.anthanh2").get("/api/sync/changes").get_json()["changes"]
    assert change["uuid"] == it["uuid"] and change["stub"] is True
    assert change["answers"] == {} and change["category"] == ["bao_luc_gia_dinh"]
    assert change["status"] == "submitted"


def test_every_detail_read_and_refusal_is_logged(app, login):
    it = file_incident(login)
    login("giamsat.culaodung").get(f"/api/submissions/{it['uuid']}", headers={
        "X-CSLP-Screen": "review"})
    login("phogiamsat.culaodung").get(f"/api/submissions/{it['uuid']}")
    with app.app_context():
        rows = db.session.scalars(select(AccessLog).order_by(AccessLog.id)).all()
        assert [(r.user.username, r.action, r.screen, r.allowed) for r in rows] == [
            ("canbo.anthanh2", "change", "sync.sync_batch", True),
            # The endpoint, then the screen the client claims (issue 14.9: only a claim).
            ("giamsat.culaodung", "read", "submissions.get_submission|review", True),
            ("phogiamsat.culaodung", "read", "submissions.get_submission", False)]


def test_activity_reads_are_not_logged(app, login):
    it = item()
    sync(login("canbo.anthanh2"), it)
    login("giamsat.culaodung").get(f"/api/submissions/{it['uuid']}")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AccessLog)) == 0


def test_deciding_on_an_incident_needs_the_permission_and_is_logged(app, login):
    it = file_incident(login)
    body = {"decision": "approve", "revision": 1}
    res = login("phogiamsat.culaodung").post(f"/api/review/{it['uuid']}/decisions", json=body)
    assert_problem(res, 403, "incident.not_permitted")
    res = login("giamsat.culaodung").post(f"/api/review/{it['uuid']}/decisions", json=body)
    assert res.status_code == 200 and MARKER in res.get_data(as_text=True)
    with app.app_context():
        actions = db.session.execute(select(AccessLog.action, AccessLog.allowed)
                                     .order_by(AccessLog.id)).all()
        assert ("change", False) in actions and actions[-1] == ("read", True)


def test_the_administrator_searches_the_access_log(login):
    it = file_incident(login)
    login("giamsat.culaodung").get(f"/api/submissions/{it['uuid']}")
    admin = login("admin.tinh")
    entries = admin.get(f"/api/audit/access?record={it['uuid']}").get_json()["entries"]
    assert [e["user"] for e in entries] == ["giamsat.culaodung", "canbo.anthanh2"]
    only = admin.get("/api/audit/access?user=giamsat.culaodung").get_json()["entries"]
    assert [e["action"] for e in only] == ["read"]
    later = (datetime.now(UTC) + timedelta(hours=1)).isoformat().replace("+00:00", "Z")
    assert admin.get(f"/api/audit/access?from={later}").get_json()["entries"] == []
    for username in ("giamsat.tinh", "canbo.anthanh2"):
        assert_problem(login(username).get("/api/audit/access"), 403, "auth.forbidden")
    assert_problem(admin.get("/api/audit/access?record=x"), 400, "request.invalid")


def test_key_rotation_re_encrypts_and_keeps_records_readable(app, login):
    it = file_incident(login)
    sync(login("canbo.anthanh2"), {**it, "base_revision": 1,
                                   "answers": incident(risk_level="trung_binh")})
    with app.app_context():
        from cslp_forms.services.base.crypto import keyring
        from cslp_forms.services.tasks.keys import rotate_keys

        ring = keyring()
        old = ring.current
        ring.keys = {"knew": bytes(range(32)), **ring.keys}
        ring.current = "knew"
        counts = rotate_keys(batch=1)
        assert counts["submissions"] == 1 and counts["revisions"] == 2
        assert set(db.session.scalars(select(Submission.key_id))) == {"knew"}
        del ring.keys[old]
    detail = login("giamsat.culaodung").get(f"/api/submissions/{it['uuid']}").get_json()
    assert detail["answers"]["risk_level"] == "trung_binh"
    assert MARKER in detail["answers"]["summary"]
    # The resend of the last edit is still recognised under the new key.
    assert sync(login("canbo.anthanh2"), {**it, "base_revision": 1, "answers": incident(
        risk_level="trung_binh")})[0]["status"] == "duplicate"


def test_purge_removes_closed_incidents_past_retention_and_logs_them(app, login):
    closed = file_incident(login, case_status="da_dong", closure_reason="an_toan_on_dinh")
    open_case = file_incident(login)
    with app.app_context():
        from cslp_forms.services.tasks.retention import purge_closed_incidents

        later = datetime.now(UTC) + timedelta(days=6 * 365)
        purged = purge_closed_incidents(now=later, retention_days=5 * 365)
        db.session.commit()
        assert [p["uuid"] for p in purged] == [closed["uuid"]]
        assert db.session.get(Submission, uuid_lib.UUID(closed["uuid"])) is None
        assert db.session.get(Submission, uuid_lib.UUID(open_case["uuid"])) is not None
        assert db.session.scalar(select(func.count()).select_from(SubmissionRevision)) == 1
        [log] = db.session.scalars(select(PurgeLog)).all()
        assert str(log.submission_uuid) == closed["uuid"] and log.form == "incident"
        assert purge_closed_incidents(now=datetime.now(UTC), retention_days=5 * 365) == []


def test_recovery_key_needs_the_password_again_and_is_stable(client, login):
    from tests.conftest import PASSWORD

    officer = login("canbo.anthanh2")
    first = officer.post("/api/auth/recovery-key", json={"password": PASSWORD})
    assert first.headers["Cache-Control"] == "no-store"
    again = officer.post("/api/auth/recovery-key", json={"password": PASSWORD}).get_json()
    other = login("canbo.thienmy").post("/api/auth/recovery-key", json={"password": PASSWORD})
    assert first.get_json()["key"] == again["key"] != other.get_json()["key"]
    # A session cookie alone (a stolen, unlocked phone) does not give it out.
    assert_problem(officer.post("/api/auth/recovery-key", json={"password": "doan-thu"}), 401,
                   "auth.invalid_credentials")
    assert_problem(officer.post("/api/auth/recovery-key", json={}), 400, "request.invalid")
    assert_problem(client.post("/api/auth/recovery-key", json={"password": PASSWORD}), 401,
                   "auth.required")


def test_security_headers_on_every_response(client):
    for path in ("/", "/api/forms", "/api/auth/me", "/sw.js"):
        res = client.get(path)
        csp = res.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert res.headers["X-Content-Type-Options"] == "nosniff"
        assert res.headers["Referrer-Policy"] == "no-referrer"
        assert "Strict-Transport-Security" not in res.headers
        res.close()
    secure = client.get("/api/forms", base_url="https://cslp.example")
    assert "max-age" in secure.headers["Strict-Transport-Security"]


def test_no_sensitive_value_reaches_the_logs(login, caplog):
    caplog.set_level("DEBUG")
    it = file_incident(login)
    sync(login("canbo.anthanh2"), {**it, "base_revision": 1, "answers": incident(
        summary=f"{MARKER} sửa", dv_acts=["zz"])})
    login("giamsat.culaodung").post(f"/api/review/{it['uuid']}/decisions",
                                    json={"decision": "return", "revision": 1,
                                          "comment": "Bổ sung dịch vụ"})
    assert MARKER not in caplog.text


def test_access_log_rows_cannot_be_changed_through_the_app(app):
    rules = [r.rule for r in app.url_map.iter_rules() if r.rule.startswith("/api/audit")]
    methods = {m for r in app.url_map.iter_rules() if r.rule.startswith("/api/audit")
               for m in r.methods}
    assert sorted(rules) == ["/api/audit/access", "/api/audit/accounts", "/api/audit/admin"]
    assert methods <= {"GET", "HEAD", "OPTIONS"}
    assert update  # the database-level refusal is tested on PostgreSQL (tests/pg)


def test_a_returned_incidents_comment_is_not_in_stubs(login):
    it = file_incident(login)
    login("giamsat.culaodung").post(f"/api/review/{it['uuid']}/decisions", json={
        "decision": "return", "revision": 1, "comment": f"Bổ sung {MARKER}",
        "field_comments": {"summary": "Ghi rõ hơn"}})
    for username in ("canbo.anthanh2", "phogiamsat.culaodung"):
        text = login(username).get("/api/sync/changes").get_data(as_text=True)
        assert MARKER not in text and "Ghi rõ hơn" not in text
    [change] = login("canbo.anthanh2").get("/api/sync/changes").get_json()["changes"]
    assert change["status"] == "returned" and change["review"]["decision"] == "return"
    detail = login("canbo.anthanh2").get(f"/api/submissions/{it['uuid']}").get_json()
    assert MARKER in detail["review"]["comment"]


def test_bulk_approval_with_an_incident_she_may_not_read(app, login):
    it = file_incident(login)
    other = item()
    sync(login("canbo.anthanh2"), other)
    res = login("phogiamsat.culaodung").post("/api/review/decisions", json={
        "decision": "approve", "items": [{"uuid": it["uuid"], "revision": 1},
                                         {"uuid": other["uuid"], "revision": 1}]})
    assert res.status_code == 200
    assert [(r["ok"], r.get("code")) for r in res.get_json()["results"]] == [
        (False, "incident.not_permitted"), (True, None)]
    with app.app_context():
        assert db.session.get(Submission, uuid_lib.UUID(it["uuid"])).status == "submitted"
        refused = db.session.scalar(select(func.count()).select_from(AccessLog).where(
            AccessLog.allowed.is_(False)))
        assert refused == 1


def test_a_reviewers_words_on_an_incident_are_sealed_at_rest(app, login):
    from cslp_forms.models import ReviewDecision

    it = file_incident(login)
    login("giamsat.culaodung").post(f"/api/review/{it['uuid']}/decisions", json={
        "decision": "return", "revision": 1, "comment": f"Bổ sung {MARKER}",
        "field_comments": {"summary": f"Ghi rõ {MARKER}"}})
    with app.app_context():
        row = db.session.scalar(select(ReviewDecision))
        assert row.comment is None and row.field_comments is None and row.sealed
        assert MARKER.encode() not in row.sealed
    events = login("giamsat.culaodung").get(
        f"/api/submissions/{it['uuid']}/history").get_json()["events"]
    assert events[-1]["comment"] == f"Bổ sung {MARKER}"
    assert events[-1]["field_comments"] == {"summary": f"Ghi rõ {MARKER}"}
