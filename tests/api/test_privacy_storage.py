"""A marker typed into an incident appears nowhere in the SQLite database file."""

from tests.api.sync_helpers import item
from tests.api.test_privacy import MARKER, incident
from tests.api.test_sync import sync


def test_marker_is_not_in_the_database_file(file_app, file_login, tmp_path):
    officer = file_login("canbo.anthanh2")
    it = item(incident(), form="incident")
    assert sync(officer, it)[0]["status"] == "accepted"
    sync(officer, {**it, "base_revision": 1,
                   "answers": incident(summary=f"{MARKER} lần hai")})
    reviewer = file_login("giamsat.culaodung")
    assert MARKER in reviewer.get(f"/api/submissions/{it['uuid']}").get_data(as_text=True)
    res = reviewer.post(f"/api/review/{it['uuid']}/decisions", json={
        "decision": "return", "revision": 2, "comment": f"Ý kiến {MARKER}"})
    assert res.status_code == 200
    needle = MARKER.encode()
    files = list(tmp_path.glob("c.db*"))
    assert files and all(needle not in f.read_bytes() for f in files)
    assert all("Chồng đánh".encode() not in f.read_bytes() for f in files)
