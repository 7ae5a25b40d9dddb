"""Web Push in Chromium: permission after a tap, the subscription reaches the server with
our VAPID key, a return is pushed, the service worker shows it, and tapping it opens the
record. A real pushManager.subscribe cannot work here (../shared/TESTING.md): a stub
returns a subscription on the fake push service."""

import json

import pytest
from playwright.sync_api import expect

from tests.api.sync_helpers import item
from tests.conftest import PASSWORD
from tests.e2e.conftest import sign_in, wait_for_worker
from tests.e2e.test_officer_flow import wait_until
from tests.fake_push import FakePushService

pytestmark = pytest.mark.e2e

STUB = """(() => {
  const sub = %s;
  let current = null;
  PushManager.prototype.subscribe = async function (options) {
    const key = new Uint8Array(options.applicationServerKey);
    window.__serverKey = btoa(String.fromCharCode(...key)).replace(/\\+/g, '-')
      .replace(/\\//g, '_').replace(/=+$/, '');
    current = { endpoint: sub.endpoint, toJSON: () => sub, unsubscribe: async () => true };
    return current;
  };
  PushManager.prototype.getSubscription = async function () { return current; };
})();"""


def officer_with_push(page, context, live_server, service):
    """canbo.anthanh2 signed in, with notifications turned on through the stub."""
    device = service.device("phone")
    context.add_init_script(STUB % json.dumps(device.subscription))
    context.grant_permissions(["notifications"], origin=live_server)
    page.goto(live_server)
    sign_in(page, "canbo.anthanh2")
    wait_for_worker(page)
    page.click("#open-notifications")
    page.click("#push-on")
    expect(page.locator("#push-state")).to_contain_text("đang nhận thông báo")


def test_push_reaches_the_officer_and_opens_the_returned_record(page, context, live_server):
    service = FakePushService()
    try:
        officer_with_push(page, context, live_server, service)
        api = live_server.app.test_client()
        key = api.get("/api/push/vapid-public-key").get_json()["public_key"]
        assert page.evaluate("window.__serverKey") == key
        service.server_key = key

        officer = live_server.app.test_client()
        token = officer.post("/api/auth/login", json={"username": "canbo.anthanh2",
                                                      "password": PASSWORD}).get_json()
        it = item()
        officer.post("/api/sync", json={"items": [it]},
                     headers={"X-CSRF-Token": token["csrf_token"]})
        supervisor = live_server.app.test_client()
        token = supervisor.post("/api/auth/login", json={"username": "giamsat.culaodung",
                                                         "password": PASSWORD}).get_json()
        supervisor.post(f"/api/review/{it['uuid']}/decisions", json={
            "decision": "return", "revision": 1, "comment": "Thiếu số nam"},
            headers={"X-CSRF-Token": token["csrf_token"]})
        [push] = wait_until(lambda: service.received, message="the push")
        assert push["payload"]["url"] == f"/#/edit/{it['uuid']}"

        cdp = context.new_cdp_session(page)
        registrations = []
        cdp.on("ServiceWorker.workerRegistrationUpdated",
               lambda ev: registrations.extend(ev["registrations"]))
        cdp.send("ServiceWorker.enable")
        page.wait_for_timeout(300)
        cdp.send("ServiceWorker.deliverPushMessage", {
            "origin": live_server, "registrationId": registrations[0]["registrationId"],
            "data": json.dumps(push["payload"], ensure_ascii=False)})
        shown = wait_until(lambda: page.evaluate(
            "navigator.serviceWorker.ready.then(r => r.getNotifications())"
            ".then(ns => ns.map(n => ({title: n.title, body: n.body, url: n.data.url})))"),
            message="the notification")
        assert shown == [{"title": "Phiếu bị trả lại để sửa", "body": push["payload"]["body"],
                          "url": f"/#/edit/{it['uuid']}"}]
        worker = context.service_workers[0]
        worker.evaluate("""() => self.registration.getNotifications().then(ns => {
          self.dispatchEvent(new NotificationEvent('notificationclick', {notification: ns[0]}));
        })""")
        page.wait_for_url(f"**/#/edit/{it['uuid']}")
        expect(page.locator("#review-comment-text")).to_have_text("Thiếu số nam")
        # The same message is in the in-app list.
        page.goto(live_server + "/#/notifications")
        expect(page.locator("#notification-list")).to_contain_text("Phiếu bị trả lại để sửa")
    finally:
        service.close()
