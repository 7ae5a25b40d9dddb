"""Device health (issue 18): POST /api/devices/health, GET /api/devices, nudge."""

from datetime import timedelta

import pytest

from tests.conftest import assert_problem

DAY = 86400


def report(**over) -> dict:
    body = {
        "device_id": "dev-0001-abcd", "app_version": "v-old",
        "records": {"draft": {"count": 0}, "queued": {"count": 0}},
        "last_sync_age_seconds": 3600,
        "storage": {"persisted": True, "quota": 10**9, "usage": 10**6},
        "background_sync": True, "push": {"available": True, "subscribed": True},
        "browser": "Chrome", "os": "Android",
    }
    body.update(over)
    return body


def listed(session, unit=None) -> list[dict]:
    res = session.get("/api/devices" + (f"?unit={unit}" if unit else ""))
    assert res.status_code == 200, res.get_json()
    return res.get_json()["devices"]


def test_a_report_is_kept_once_per_device_and_user_and_replaced_by_the_next(login):
    officer = login("canbo.anthanh2")
    for queued in (1, 1, 4):  # the same report twice, then a newer one
        res = officer.post("/api/devices/health",
                           json=report(records={"queued": {"count": queued, "age_seconds": 60}}))
        assert res.status_code == 200 and res.get_json()["device_id"] == "dev-0001-abcd"
    login("canbo.anthanh3").post("/api/devices/health", json=report())  # same id, her phone
    devices = listed(login("giamsat.culaodung"))
    mine = [d for d in devices if d["user"]["username"] == "canbo.anthanh2"]
    assert len(mine) == 1 and mine[0]["records"]["queued"]["count"] == 4
    assert mine[0]["records"]["rejected"] == {"count": 0, "age_days": None}
    assert {d["user"]["username"] for d in devices} == {"canbo.anthanh2", "canbo.anthanh3"}


@pytest.mark.parametrize("body, field", [
    (report(device_id="short"), "device_id"),
    (report(device_id="has space in it"), "device_id"),
    (report(records={"queued": {"count": -1}}), "records.queued.count"),
    (report(records={"queued": {"count": "3"}}), "records.queued.count"),
    (report(records={"queued": {"count": 2**40}}), "records.queued.count"),
    (report(records={"sent": {"count": 1}}), "records.sent"),
    (report(records={"queued": {"count": 1, "title": "Chị Lan bị đánh"}}), "records.queued.title"),
    (report(answers={"note": "x"}), "answers"),
    (report(last_sync_age_seconds=-5), "last_sync_age_seconds"),
    (report(browser="x" * 41), "browser"),
])
def test_a_report_with_anything_else_than_counts_and_facts_is_refused(login, body, field):
    body = assert_problem(login("canbo.anthanh2").post("/api/devices/health", json=body), 400,
                          "request.invalid")
    assert field in [e["field"] for e in body["errors"]]


def test_reports_need_a_session_and_a_json_object(client, login):
    assert_problem(client.post("/api/devices/health", json=report()), 401, "auth.required")
    assert_problem(login("canbo.anthanh2").post("/api/devices/health", json=[1]), 400,
                   "request.malformed")


def test_supervisors_see_their_subtree_only(login):
    login("canbo.anthanh2").post("/api/devices/health", json=report())
    login("canbo.thienmy").post("/api/devices/health", json=report(device_id="dev-thienmy-1"))
    assert [d["user"]["username"] for d in listed(login("giamsat.culaodung"))] == [
        "canbo.anthanh2"]
    assert [d["user"]["username"] for d in listed(login("giamsat.chauthanh"))] == [
        "canbo.thienmy"]
    assert len(listed(login("giamsat.tinh"))) == 2
    assert len(listed(login("giamsat.tinh"), unit="945")) == 1
    assert_problem(login("giamsat.culaodung").get("/api/devices?unit=942"), 403,
                   "scope.forbidden")
    assert_problem(login("canbo.anthanh2").get("/api/devices"), 403, "auth.forbidden")


def test_risks_are_named_and_the_riskiest_phone_comes_first(app, login):
    from cslp_forms.pwa import shell_version

    with app.test_request_context():
        current = shell_version()
    login("canbo.anthanh3").post("/api/devices/health", json=report(
        app_version=current, records={"draft": {"count": 1, "age_seconds": 3600}}))
    login("canbo.anthanh2").post("/api/devices/health", json=report(
        records={"queued": {"count": 2, "age_seconds": 5 * DAY},
                 "rejected": {"count": 1, "age_seconds": 2 * DAY}},
        storage={"persisted": False}, last_sync_age_seconds=15 * DAY))
    first, second = listed(login("giamsat.culaodung"))
    assert first["user"]["username"] == "canbo.anthanh2"
    assert first["risk"] == ["unsent_old", "rejected_unfixed", "storage_not_persisted",
                             "no_sync_14d", "stale_app"]
    assert first["records"]["queued"] == {"count": 2, "age_days": 5.0}
    assert first["current_version"] is False
    assert second["risk"] == [] and second["current_version"] is True


def test_ages_grow_from_the_report_and_silent_phones_age_out(app, login):
    from cslp_forms.extensions import db
    from cslp_forms.models import DeviceHealth

    login("canbo.anthanh2").post("/api/devices/health", json=report(
        records={"queued": {"count": 1, "age_seconds": DAY}}, last_sync_age_seconds=0))
    supervisor = login("giamsat.culaodung")
    assert "unsent_old" not in listed(supervisor)[0]["risk"]
    with app.app_context():
        row = db.session.query(DeviceHealth).one()
        row.received_at -= timedelta(days=3)
        db.session.commit()
    device = listed(supervisor)[0]
    assert device["records"]["queued"]["age_days"] == 4.0
    assert device["last_sync_days"] == 3.0 and "unsent_old" in device["risk"]
    with app.app_context():
        row = db.session.query(DeviceHealth).one()
        row.received_at -= timedelta(days=60)
        db.session.commit()
    assert listed(supervisor) == []


def test_a_nudge_tells_her_the_one_thing_to_do_once_a_day(login):
    officer = login("canbo.anthanh2")
    officer.post("/api/devices/health", json=report(
        records={"rejected": {"count": 3, "age_seconds": DAY}}))
    supervisor = login("giamsat.culaodung")
    res = supervisor.post("/api/devices/nudge", json={"username": "canbo.anthanh2"})
    assert res.status_code == 200 and res.get_json()["notified"] == 1
    assert res.get_json()["message"].startswith("Có 3 phiếu bị từ chối")
    again = supervisor.post("/api/devices/nudge", json={"username": "canbo.anthanh2"})
    assert again.status_code == 200 and again.get_json()["notified"] == 0
    inbox = officer.get("/api/notifications").get_json()["notifications"]
    assert [n["body"] for n in inbox if n["kind"] == "nudge"] == [res.get_json()["message"]]


def test_a_nudge_needs_something_at_risk_and_an_officer_in_her_subtree(login):
    login("canbo.anthanh2").post("/api/devices/health", json=report(app_version=None))
    supervisor = login("giamsat.culaodung")
    assert_problem(supervisor.post("/api/devices/nudge", json={"username": "canbo.anthanh2"}),
                   409, "device.nothing_at_risk")
    assert_problem(supervisor.post("/api/devices/nudge", json={"username": "canbo.thienmy"}),
                   403, "scope.forbidden")
    assert_problem(supervisor.post("/api/devices/nudge", json={"username": "nobody.here"}),
                   404, "user.not_found")


def test_a_nudge_reaches_her_phone_as_one_push_however_often_it_is_tapped(login):
    from tests.fake_push import FakePushService

    service = FakePushService()
    try:
        officer = login("canbo.anthanh2")
        assert officer.post("/api/push/subscriptions",
                            json=service.device("phone").subscription).status_code == 201
        officer.post("/api/devices/health", json=report(
            records={"queued": {"count": 2, "age_seconds": 4 * DAY}}))
        supervisor = login("giamsat.culaodung")
        for _ in range(3):
            assert supervisor.post("/api/devices/nudge",
                                   json={"username": "canbo.anthanh2"}).status_code == 200
        [pushed] = service.wait(1)
        assert pushed["payload"]["body"].startswith("Có 2 phiếu chưa gửi từ 4 ngày trước")
        assert pushed["payload"]["url"] == "/#/"
    finally:
        service.close()
