"""Issue 16.5: GET /api/audit/admin: who changed which account, target or rule, when, from
what to what; newest first; filterable by target."""

import json

from cslp_forms.extensions import db
from cslp_forms.services.deadlines import seed_rules
from tests.conftest import assert_problem

MONTHLY = "ngay_phap_luat_hang_thang"


def _entries(admin, **query):
    res = admin.get("/api/audit/admin", query_string=query)
    assert res.status_code == 200, res.get_json()
    return res.get_json()["entries"]


def test_account_target_and_rule_changes_newest_first(app, login):
    with app.app_context():
        seed_rules()
        db.session.commit()
    admin = login("admin.tinh")
    assert admin.post("/api/users/canbo.anthanh2/sign-in-code").status_code == 201
    assert admin.post("/api/users/canbo.thienmy/unlock").status_code == 200
    assert admin.put("/api/reports/targets/2026/945/K01", json={"value": 40}).status_code == 200
    assert admin.put("/api/reports/targets/2026/945/K01", json={"value": 45, "note": "Tăng"}
                     ).status_code == 200
    # Saying the same again changes nothing and writes nothing.
    assert admin.put("/api/reports/targets/2026/945/K01", json={"value": 45}).status_code == 200
    assert admin.delete("/api/reports/targets/2026/945/K01").status_code == 204
    assert admin.patch(f"/api/reminders/rules/{MONTHLY}", json={"reminder_days": [3, 0]}
                       ).status_code == 200

    entries = _entries(admin)
    assert [(e["actor"], e["action"], e["target"]) for e in entries] == [
        ("admin.tinh", "rule", f"rule:{MONTHLY}"),
        ("admin.tinh", "target_removed", "target:2026/945/K01"),
        ("admin.tinh", "target_set", "target:2026/945/K01"),
        ("admin.tinh", "target_set", "target:2026/945/K01"),
        ("admin.tinh", "lockout_lifted", "user:canbo.thienmy"),
        ("admin.tinh", "sign_in_code", "user:canbo.anthanh2")]
    assert [e["at"] for e in entries] == sorted((e["at"] for e in entries), reverse=True)
    rule = entries[0]
    assert list(json.loads(rule["before"])) == ["reminder_days"]
    assert json.loads(rule["before"])["reminder_days"] != [3, 0]
    assert json.loads(rule["after"]) == {"reminder_days": [3, 0]}
    first, second = entries[3], entries[2]
    assert first["before"] is None and json.loads(first["after"])["value"] == 40
    assert json.loads(second["before"])["value"] == 40
    assert json.loads(second["after"]) == {"basis": "count", "value": 45, "detail": {},
                                           "note": "Tăng"}
    assert json.loads(entries[1]["before"])["value"] == 45 and entries[1]["after"] is None
    # Filtered by target, by the start of one, by kind, by actor.
    assert [e["action"] for e in _entries(admin, target="user:canbo.thienmy")] == [
        "lockout_lifted"]
    assert len(_entries(admin, target="target:2026/")) == 3
    assert len(_entries(admin, target="target:2026/945/K01")) == 3
    assert _entries(admin, target="target:2026/94/") == []
    assert len(_entries(admin, kind="user")) == 2
    assert len(_entries(admin, kind="rule")) == 1
    assert _entries(admin, actor="giamsat.tinh") == []
    assert len(_entries(admin, limit=2)) == 2
    # The account audit still lists account changes only.
    accounts = admin.get("/api/audit/accounts").get_json()["entries"]
    assert [e["change"] for e in accounts] == ["lockout_lifted", "sign_in_code"]


def test_only_province_admins_read_it(login):
    for who in ("giamsat.tinh", "canbo.anthanh2"):
        assert_problem(login(who).get("/api/audit/admin"), 403, "auth.forbidden")
    assert_problem(login("admin.tinh").get("/api/audit/admin?kind=nhanvien"), 400,
                   "request.invalid")



def test_copying_a_plan_is_in_the_admin_audit_target_by_target(app, login):
    from tests.api.test_report_targets import seed_plan

    seed_plan(app)
    admin = login("admin.tinh")
    res = admin.post("/api/reports/targets/copy", json={"from_year": 2024, "to_year": 2026})
    created = res.get_json()["created"]
    entries = _entries(admin, target="target:2026/")
    assert len(entries) == len(created) > 0
    assert {e["action"] for e in entries} == {"target_set"}
    assert all(e["before"] is None and e["actor"] == "admin.tinh" for e in entries)
    k03 = next(e for e in entries if e["target"].endswith("/K03"))
    assert json.loads(k03["after"])["detail"]["places"] == ["945", "31630", "942", "31585"]
    # Copying again creates nothing and writes nothing.
    admin.post("/api/reports/targets/copy", json={"from_year": 2024, "to_year": 2026})
    assert len(_entries(admin, target="target:2026/")) == len(entries)
