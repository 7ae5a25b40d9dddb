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
