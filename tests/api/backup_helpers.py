"""What a backup must bring back: records, a photo, accounts and a sealed incident."""

from __future__ import annotations

import base64

from tests.api.sync_helpers import JPEG, item, sha
from tests.api.test_privacy import MARKER, incident
from tests.api.test_sync import sync
from tests.conftest import PASSWORD, Session

# A fixed data key, so that the app on the restored database can open what was sealed.
DATA_KEY = "kbackup=" + base64.b64encode(bytes(range(32))).decode()
OTHER_KEY = "kother=" + base64.b64encode(bytes(range(32, 64))).decode()


def sign_in(app, username: str) -> Session:
    client = app.test_client()
    res = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    assert res.status_code == 200, res.get_data(as_text=True)
    body = res.get_json()
    return Session(client, body["csrf_token"], body)


def fill(app) -> dict:
    """An activity with a photo and an incident, as a phone sends them."""
    officer = sign_in(app, "canbo.anthanh2")
    assert officer.put(f"/api/attachments/{sha(JPEG)}", data=JPEG).status_code == 201
    activity = item(attachments=[sha(JPEG)])
    case = item(incident(), form="incident")
    assert [r["status"] for r in sync(officer, activity, case)] == ["accepted", "accepted"]
    return {"activity": activity["uuid"], "incident": case["uuid"]}


def add_after_backup(app) -> str:
    later = item()
    assert sync(sign_in(app, "canbo.anthanh2"), later)[0]["status"] == "accepted"
    return later["uuid"]


def check_restored(app, records: dict, later: str) -> None:
    """Accounts sign in, the records and photo are back, what came after the backup is
    not, and the incident's sealed details open with the key."""
    officer = sign_in(app, "canbo.anthanh2")
    got = officer.get(f"/api/submissions/{records['activity']}")
    assert got.status_code == 200, got.get_data(as_text=True)
    assert got.get_json()["attachments"] == [sha(JPEG)]
    photo = officer.get(f"/api/attachments/{sha(JPEG)}")
    assert photo.status_code == 200 and photo.data == JPEG
    assert officer.get(f"/api/submissions/{later}").status_code == 404
    reviewer = sign_in(app, "giamsat.culaodung")
    case = reviewer.get(f"/api/submissions/{records['incident']}")
    assert case.status_code == 200, case.get_data(as_text=True)
    assert MARKER in case.get_json()["answers"]["summary"]
