"""A marker typed into a case's follow-up note is nowhere in plaintext: not in the SQLite
database file, not in the logs, not in a backup (the entry is sealed like the intake)."""

import logging

from tests.api.sync_helpers import item
from tests.api.test_entries import NOTE_MARKER, entry, followup, service
from tests.api.test_privacy import incident
from tests.api.test_sync import sync


def test_a_follow_up_note_is_not_in_the_database_file_the_logs_or_a_backup(
        file_app, file_login, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    officer, supervisor = file_login("canbo.anthanh2"), file_login("giamsat.culaodung")
    case = item(incident(services=[]), form="incident")
    assert sync(officer, case)[0]["status"] == "accepted"
    assert supervisor.post(f"/api/review/{case['uuid']}/decisions", json={
        "decision": "approve", "revision": 1}).status_code == 200
    visit = entry(case["uuid"], followup("2024-12-03", services=[service()],
                                         next_followup_date="2024-12-17"))
    closing = entry(case["uuid"], {"entry_date": "2024-12-20", "entry_kind": "closure",
                                   "closure_reason": "an_toan_on_dinh"})
    assert [r["status"] for r in sync(officer, visit, closing)] == ["accepted", "accepted"]
    changed = {**visit, "answers": {**visit["answers"], "note": f"{NOTE_MARKER} sửa"}}
    assert sync(officer, changed)[0]["status"] == "conflict"  # the server copy is sent back
    shown = supervisor.get(f"/api/submissions/{case['uuid']}").get_data(as_text=True)
    assert NOTE_MARKER in shown  # she may read it: it is there, only never in plaintext
    assert supervisor.post(f"/api/review/{closing['uuid']}/decisions", json={
        "decision": "return", "revision": 1,
        "comment": f"Chưa đóng được {NOTE_MARKER}"}).status_code == 200
    backup = tmp_path / "copy.sqlite3"
    result = file_app.test_cli_runner().invoke(args=["cslp", "backup", "--to", str(backup)])
    assert result.exit_code == 0, result.output

    needle = NOTE_MARKER.encode()
    files = [*tmp_path.glob("c.db*"), backup]
    assert backup.exists() and all(needle not in f.read_bytes() for f in files)
    assert NOTE_MARKER not in caplog.text and NOTE_MARKER not in result.output
