"""Web Push: VAPID key, subscriptions, what is pushed (returns, approvals, urgent cases),
in-app notifications, dead subscriptions removed."""

import time

import pytest
from sqlalchemy import func, select

from cslp_forms.extensions import db
from cslp_forms.models import Notification, PushSubscription
from tests.api.sync_helpers import item
from tests.api.test_privacy import MARKER, incident
from tests.api.test_sync import sync
from tests.conftest import assert_problem
from tests.fake_push import FakePushService


@pytest.fixture
def push_service():
    service = FakePushService()
    yield service
    service.close()


def subscribe(session, device):
    res = session.post("/api/push/subscriptions", json=device.subscription)
    assert res.status_code == 201, res.get_json()


def test_the_vapid_key_is_stable_and_signs_the_pushes(client, login, push_service):
    key = client.get("/api/push/vapid-public-key").get_json()["public_key"]
    assert client.get("/api/push/vapid-public-key").get_json()["public_key"] == key
    push_service.server_key = key
    officer = login("canbo.anthanh2")
    subscribe(officer, push_service.device("phone"))
    it = item()
    sync(officer, it)
    res = login("giamsat.culaodung").post(f"/api/review/{it['uuid']}/decisions", json={
        "decision": "return", "revision": 1, "comment": "Thiếu số nam"})
    assert res.status_code == 200
    [push] = push_service.wait(1)
    assert push["payload"] == {
        "title": "Phiếu bị trả lại để sửa", "url": f"/#/edit/{it['uuid']}",
        "tag": f"record-{it['uuid']}",
        "body": "Phiếu hoạt động ngày 09/11/2024 được Huyện Cù Lao Dung trả lại. "
                "Mở để xem ý kiến và sửa."}


def test_final_approval_is_pushed_to_the_author_only(login, push_service):
    officer = login("canbo.anthanh2")
    subscribe(officer, push_service.device("officer"))
    subscribe(login("giamsat.culaodung"), push_service.device("supervisor"))
    it = item()
    sync(officer, it)
    login("giamsat.culaodung").post(f"/api/review/{it['uuid']}/decisions",
                                    json={"decision": "approve", "revision": 1})
    assert [(p["device"], p["payload"]["title"]) for p in push_service.wait(1)] == [
        ("officer", "Phiếu đã được duyệt")]


def test_an_urgent_incident_alerts_the_district_supervisors_without_details(
        app, login, push_service):
    for username in ("giamsat.culaodung", "phogiamsat.culaodung", "giamsat.chauthanh"):
        subscribe(login(username), push_service.device(username))
    officer = login("canbo.anthanh2")
    it = item(incident(immediate_danger=True), form="incident")
    assert sync(officer, it)[0]["status"] == "accepted"
    assert sync(officer, it)[0]["status"] == "duplicate"
    got = sorted(p["device"] for p in push_service.wait(2))
    assert got == ["giamsat.culaodung", "phogiamsat.culaodung"]
    payload = push_service.received[0]["payload"]
    assert payload["title"] == "Vụ việc khẩn cấp mới"
    assert payload["url"] == f"/#/review/{it['uuid']}"
    assert MARKER not in str(payload) and "Chồng" not in str(payload)
    calm = item(incident(), form="incident")
    sync(officer, calm)
    assert len(push_service.wait(3, seconds=1)) == 2


def test_a_410_removes_the_subscription(app, login, push_service):
    officer = login("canbo.anthanh2")
    subscribe(officer, push_service.device("old-phone"))
    push_service.gone.add("old-phone")
    it = item()
    sync(officer, it)
    login("giamsat.culaodung").post(f"/api/review/{it['uuid']}/decisions",
                                    json={"decision": "approve", "revision": 1})
    deadline = time.monotonic() + 10  # the push leaves after the commit (a thread on PG)
    while True:
        with app.app_context():
            left = db.session.scalar(select(func.count()).select_from(PushSubscription))
            notes = db.session.scalar(select(func.count()).select_from(Notification))
        if left == 0 or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert (left, notes) == (0, 1)


def test_in_app_notifications_without_push(login):
    officer = login("canbo.anthanh2")
    it = item()
    sync(officer, it)
    login("giamsat.culaodung").post(f"/api/review/{it['uuid']}/decisions", json={
        "decision": "return", "revision": 1, "comment": "Sửa"})
    data = officer.get("/api/notifications").get_json()
    assert data["unread"] == 1
    [note] = data["notifications"]
    assert note["title"] == "Phiếu bị trả lại để sửa" and note["url"].endswith(it["uuid"])
    assert officer.post("/api/notifications/read", json={"ids": [note["id"]]}).status_code == 200
    assert officer.get("/api/notifications").get_json()["unread"] == 0
    assert login("canbo.thienmy").get("/api/notifications").get_json()["notifications"] == []


# Ids are database integers: one the column cannot hold is a field error, not a 500.
@pytest.mark.parametrize("ids", [[2**63], [2**64 + 1], [2**31], [0], [-1], [1, 2**70]])
def test_notification_ids_out_of_range_are_refused(login, ids):
    res = login("canbo.anthanh2").post("/api/notifications/read", json={"ids": ids})
    body = assert_problem(res, 400, "request.invalid")
    assert {(e["field"], e["code"]) for e in body["errors"]} == {
        (f"ids.{len(ids) - 1}", "field.invalid")}


def test_the_largest_notification_id_is_accepted(login):
    res = login("canbo.anthanh2").post("/api/notifications/read", json={"ids": [2**31 - 1]})
    assert res.status_code == 200


def test_the_same_notification_is_stored_once(app, login):
    with app.test_request_context():
        from cslp_forms.services.records.notices import notify

        args = {"kind": "reminder", "key": "law-day:31630:2024-11", "title": "t", "body": "b",
                "url": "/", "tag": "x"}
        first = notify([1, 1], **args)
        db.session.commit()
        assert len(first) == 1 and notify([1], **args) == []


@pytest.mark.parametrize("body, field", [
    ({"endpoint": "https://x.example/p", "keys": {"p256dh": "short"}}, "keys.p256dh"),
    ({"keys": {"p256dh": "B" * 87, "auth": "A" * 22}}, "endpoint"),
    ({"endpoint": "ftp://x.example/p", "keys": {"p256dh": "B" * 87, "auth": "A" * 22}},
     "endpoint"),
])
def test_bad_subscriptions_are_400(app, login, body, field):
    app.config["PUSH_ENDPOINT_SCHEMES"] = ("https",)
    res = login("canbo.anthanh2").post("/api/push/subscriptions", json=body)
    problem = assert_problem(res, 400, "request.invalid")
    assert field in {e["field"] for e in problem["errors"]}


def test_unsubscribe_forgets_the_device(app, login, push_service):
    officer = login("canbo.anthanh2")
    device = push_service.device("phone")
    subscribe(officer, device)
    res = officer.delete("/api/push/subscriptions", json={"endpoint": device.endpoint})
    assert res.get_json() == {"removed": True}
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PushSubscription)) == 0
