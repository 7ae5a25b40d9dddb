"""PUT /api/attachments/<sha256>: photos by hash; records may arrive before them."""

import pytest

from tests.api.sync_helpers import JPEG, PNG, activity, item, sha
from tests.api.test_sync import sync
from tests.conftest import assert_problem

WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + bytes(32)


@pytest.mark.parametrize("data, content_type", [(JPEG, "image/jpeg"), (PNG, "image/png"),
                                                (WEBP, "image/webp")])
def test_upload_is_idempotent_and_typed_by_content(login, data, content_type):
    officer = login("canbo.anthanh2")
    digest = sha(data)
    first = officer.put(f"/api/attachments/{digest}", data=data,
                        content_type="application/octet-stream")
    assert first.status_code == 201
    assert officer.put(f"/api/attachments/{digest}", data=data).status_code == 200
    got = officer.get(f"/api/attachments/{digest}")
    assert got.status_code == 200 and got.data == data and got.mimetype == content_type


def test_hash_mismatch_is_400(login):
    officer = login("canbo.anthanh2")
    res = officer.put(f"/api/attachments/{sha(PNG)}", data=JPEG)
    assert_problem(res, 400, "attachment.hash_mismatch")


def test_not_an_image_is_415_whatever_its_name(login):
    officer = login("canbo.anthanh2")
    data = b"%PDF-1.7 pretending to be a photo.jpg"
    res = officer.put(f"/api/attachments/{sha(data)}", data=data, content_type="image/jpeg")
    assert_problem(res, 415, "attachment.unsupported_type")


def test_over_5_mb_is_413_with_a_message_an_officer_understands(login):
    officer = login("canbo.anthanh2")
    data = JPEG + bytes(5 * 1024 * 1024)
    body = assert_problem(officer.put(f"/api/attachments/{sha(data)}", data=data), 413,
                          "attachment.too_large")
    assert "5 MB" in body["title"]


def test_bad_hash_in_url_is_400(login):
    assert_problem(login("canbo.anthanh2").put("/api/attachments/abc", data=JPEG), 400,
                   "attachment.bad_hash")


def test_record_before_its_photo_lists_it_missing_until_it_arrives(login):
    officer = login("canbo.anthanh2")
    digest = sha(JPEG)
    it = item(activity(evidence_photos=[digest]), attachments=[digest])
    result = sync(officer, it)[0]
    assert result["status"] == "accepted" and result["missing_attachments"] == [digest]
    change = officer.get("/api/sync/changes").get_json()["changes"][0]
    assert change["missing_attachments"] == [digest]
    officer.put(f"/api/attachments/{digest}", data=JPEG)
    change = officer.get("/api/sync/changes").get_json()["changes"][0]
    assert change["missing_attachments"] == []


def test_photo_of_another_districts_record_is_not_served(login):
    officer = login("canbo.anthanh2")
    digest = sha(JPEG)
    officer.put(f"/api/attachments/{digest}", data=JPEG)
    sync(officer, item(activity(evidence_photos=[digest]), attachments=[digest]))
    assert login("giamsat.culaodung").get(f"/api/attachments/{digest}").status_code == 200
    assert_problem(login("giamsat.chauthanh").get(f"/api/attachments/{digest}"), 404,
                   "attachment.not_found")


def test_listing_someone_elses_hash_does_not_grant_her_photo(app, login):
    owner = login("canbo.anthanh2")
    digest = sha(PNG)
    owner.put(f"/api/attachments/{digest}", data=PNG)
    sync(owner, item(activity(evidence_photos=[digest]), attachments=[digest]))
    other = login("canbo.thienmy")
    assert_problem(other.get(f"/api/attachments/{digest}"), 404, "attachment.not_found")
    result = sync(other, item(activity(evidence_photos=[digest]), attachments=[digest],
                              unit="31585"))[0]
    assert result["status"] == "accepted"
    assert_problem(other.get(f"/api/attachments/{digest}"), 404, "attachment.not_found")


def test_photo_over_the_request_limit_gets_the_photo_message(login):
    officer = login("canbo.anthanh2")
    data = JPEG + bytes(7 * 1024 * 1024)
    body = assert_problem(officer.put(f"/api/attachments/{sha(data)}", data=data), 413,
                          "attachment.too_large")
    assert "5 MB" in body["title"]


def _photo(n: int, size: int = 1000) -> bytes:
    return JPEG + n.to_bytes(4, "big") + bytes(size)


def test_pending_photos_are_capped_per_person_and_listed_ones_free_the_quota(app, login):
    """Issue 14, item 9: uploads had no quota. Photos no record of hers lists count
    against CSLP_UPLOAD_PENDING_BYTES; sending the record frees them; another person has a
    quota of her own; sending a photo again is never refused."""
    photos = [_photo(n) for n in range(4)]
    limit = 3 * len(photos[0]) + 100
    app.config["UPLOAD_PENDING_BYTES"] = limit
    officer = login("canbo.anthanh2")
    for data in photos[:3]:
        assert officer.put(f"/api/attachments/{sha(data)}", data=data).status_code == 201
    body = assert_problem(officer.put(f"/api/attachments/{sha(photos[3])}", data=photos[3]),
                          413, "attachment.quota")
    assert body["max_bytes"] == limit
    assert officer.put(f"/api/attachments/{sha(photos[0])}", data=photos[0]).status_code == 200
    other = login("canbo.anthanh3")
    assert other.put(f"/api/attachments/{sha(photos[3])}", data=photos[3]).status_code == 201
    listed = [sha(d) for d in photos[:2]]
    assert sync(officer, item(activity(evidence_photos=listed), attachments=listed))[0][
        "status"] == "accepted"
    assert officer.put(f"/api/attachments/{sha(photos[3])}", data=photos[3]).status_code == 200


def test_purge_removes_photos_no_record_lists_after_the_grace_period(app, login):
    """Issue 14, item 9: unreferenced photos were never removed. `purge` removes those no
    record or earlier revision lists once the grace period has passed since their last
    upload, and keeps every listed one."""
    from datetime import UTC, datetime, timedelta

    from cslp_forms.extensions import db
    from cslp_forms.models import Attachment, AttachmentUpload
    from cslp_forms.services.tasks.retention import purge_unlisted_photos

    officer = login("canbo.anthanh2")
    kept, dropped, orphan = _photo(1), _photo(2), _photo(3)
    for data in (kept, dropped, orphan):
        officer.put(f"/api/attachments/{sha(data)}", data=data)
    first = item(activity(evidence_photos=[sha(kept), sha(dropped)]),
                 attachments=[sha(kept), sha(dropped)])
    assert sync(officer, first)[0]["status"] == "accepted"
    # The next revision no longer lists `dropped`: the history still does, so it stays.
    second = dict(first, base_revision=1, answers=activity(evidence_photos=[sha(kept)]),
                  attachments=[sha(kept)])
    assert sync(officer, second)[0]["status"] == "accepted"
    with app.app_context():
        now = datetime.now(UTC)
        assert purge_unlisted_photos(now=now, grace_days=30) == {"photos": 0, "bytes": 0}
        later = now + timedelta(days=31)
        assert purge_unlisted_photos(now=later, grace_days=30) == {
            "photos": 1, "bytes": len(orphan)}
        db.session.commit()
        assert db.session.get(Attachment, sha(orphan)) is None
        assert not db.session.query(AttachmentUpload).filter_by(sha256=sha(orphan)).count()
        assert {a.sha256 for a in db.session.query(Attachment)} == {sha(kept), sha(dropped)}
    assert officer.get(f"/api/attachments/{sha(kept)}").status_code == 200
    assert_problem(officer.get(f"/api/attachments/{sha(orphan)}"), 404, "attachment.not_found")


def test_purge_command_reports_the_photos_it_removed(app, login):
    officer = login("canbo.anthanh2")
    orphan = _photo(9)
    officer.put(f"/api/attachments/{sha(orphan)}", data=orphan)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["cslp", "purge", "--now", "2099-01-01T00:00:00"])
    assert result.exit_code == 0, result.output
    assert "Đã xóa 1 ảnh" in result.output
    assert runner.invoke(args=["cslp", "purge", "--now", "2099-01-01T00:00:00"]).output.count(
        "Đã xóa 0 ảnh") == 1
