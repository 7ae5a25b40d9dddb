"""Targets as data: seeded from the 2024 plan, read by supervisors, set by administrators."""

import pytest

from cslp_forms.extensions import db
from cslp_forms.services.base.units import find_version
from cslp_forms.services.reports import targets as target_service
from cslp_forms.services.users import create_user
from tests.conftest import PASSWORD, assert_problem


def seed_plan(app):
    with app.app_context():
        result = target_service.load_targets_file(target_service.PLAN_2024)
        db.session.commit()
        return result


def test_the_plan_seeds_its_targets_once(app, login):
    assert seed_plan(app) == (8, 0)
    assert seed_plan(app) == (0, 8)
    body = login("admin.tinh").get("/api/reports/targets?unit=94&year=2024").get_json()
    got = {t["indicator"]: (t["basis"], t["value"]) for t in body["targets"]}
    assert got == {"K02": ("per_unit_month", 1), "K03": ("count", 4), "K04": ("count", 1),
                   "K06": ("count", 11), "K07": ("count", 3), "K08": ("percent", 100),
                   "K09": ("percent", 100), "K14": ("percent", 100)}
    k03 = next(t for t in body["targets"] if t["indicator"] == "K03")
    assert k03["detail"] == {"places": ["945", "31630", "942", "31585"]}
    assert k03["source"] == "Kế hoạch CSLP 2024, mục II.1"
    assert body["years"] == [2024]


def test_administrator_changes_a_target_and_the_seed_keeps_it(app, login):
    seed_plan(app)
    admin = login("admin.tinh")
    res = admin.put("/api/reports/targets/2024/94/K07", json={"value": 4, "note": "Tăng thêm"})
    assert res.status_code == 200, res.get_json()
    assert (res.get_json()["value"], res.get_json()["updated_by"]) == (4, "admin.tinh")
    assert seed_plan(app) == (0, 8)
    listed = admin.get("/api/reports/targets?year=2024").get_json()["targets"]
    assert next(t for t in listed if t["indicator"] == "K07")["value"] == 4
    res = admin.put("/api/reports/targets/2024/945/K01", json={"value": 40})
    assert res.status_code == 200 and res.get_json()["unit"]["code"] == "945"
    assert admin.delete("/api/reports/targets/2024/945/K01").status_code == 204
    assert_problem(admin.delete("/api/reports/targets/2024/945/K01"), 404,
                   "report.target_not_found")


@pytest.mark.parametrize("url, body, status, code", [
    ("/api/reports/targets/2024/94/K08", {"value": 80, "basis": "count"}, 400,
     "request.invalid"),
    ("/api/reports/targets/2024/94/K08", {"value": 120}, 400, "request.invalid"),
    ("/api/reports/targets/2024/94/K03", {"value": -1}, 400, "request.invalid"),
    ("/api/reports/targets/2024/94/K03", {"value": "4"}, 400, "request.invalid"),
    ("/api/reports/targets/2024/94/K03", {}, 400, "request.invalid"),
    ("/api/reports/targets/2024/94/K15", {"value": 1}, 404, "report.unknown_indicator"),
    ("/api/reports/targets/2024/99999/K03", {"value": 1}, 404, "unit.not_found"),
    # A year in the URL is an integer of any size: out of range, a field error, not a 500.
    ("/api/reports/targets/99999999999999999999/94/K03", {"value": 1}, 400,
     "request.invalid"),
    ("/api/reports/targets/10000/94/K03", {"value": 1}, 400, "request.invalid"),
    ("/api/reports/targets/0/94/K03", {"value": 1}, 400, "request.invalid"),
    # What the indicators read from a target's detail has one shape (unit codes, levels).
    ("/api/reports/targets/2024/94/K03", {"value": 4, "detail": {"places": [2**70]}}, 400,
     "request.invalid"),
    ("/api/reports/targets/2024/94/K03", {"value": 4, "detail": {"places": 5}}, 400,
     "request.invalid"),
    ("/api/reports/targets/2024/94/K02", {"value": 1, "detail": {"levels": ["ap"]}}, 400,
     "request.invalid"),
    ("/api/reports/targets/2024/94/K03", {"value": 4, "detail": {"x": 1}}, 400,
     "request.invalid"),
    # A supervision place must be a unit of that year (it was kept silently, then never met).
    ("/api/reports/targets/2024/94/K03", {"value": 4, "detail": {"places": ["945", "99999"]}},
     400, "request.invalid"),
])
def test_bad_targets_are_refused(login, url, body, status, code):
    assert_problem(login("admin.tinh").put(url, json=body), status, code)


def test_a_huge_year_cannot_be_deleted_either(login):
    assert_problem(login("admin.tinh").delete(
        "/api/reports/targets/99999999999999999999/94/K03"), 400, "request.invalid")


def test_a_target_naming_places_and_levels_is_kept(login):
    admin = login("admin.tinh")
    res = admin.put("/api/reports/targets/2024/94/K03",
                    json={"value": 2, "detail": {"places": ["945", "31630"]}})
    assert res.status_code == 200 and res.get_json()["detail"] == {"places": ["945", "31630"]}
    res = admin.put("/api/reports/targets/2024/94/K02",
                    json={"value": 1, "detail": {"levels": ["district", "commune"]}})
    assert res.status_code == 200
    assert admin.get("/api/reports/indicators?year=2024&unit=94").status_code == 200


@pytest.mark.parametrize("username", ["giamsat.tinh", "giamsat.culaodung", "canbo.anthanh2"])
def test_only_administrators_set_targets(login, username):
    res = login(username).put("/api/reports/targets/2024/945/K03", json={"value": 2})
    assert_problem(res, 403, "report.not_allowed")


def test_targets_stay_inside_the_administrators_subtree(app, login):
    with app.app_context():
        create_user(username="admin.chauthanh", display_name="QTV Châu Thành",
                    password=PASSWORD, role="admin", unit_code="942")
        db.session.commit()
    admin = login("admin.chauthanh")
    assert admin.put("/api/reports/targets/2024/942/K03", json={"value": 2}).status_code == 200
    assert_problem(admin.put("/api/reports/targets/2024/945/K03", json={"value": 2}), 403,
                   "report.not_allowed")
    assert_problem(admin.get("/api/reports/targets?unit=94"), 403, "report.not_allowed")
    assert_problem(login("canbo.anthanh2").get("/api/reports/targets"), 403,
                   "report.not_allowed")


def test_rates_set_above_apply_below_but_counts_do_not(app):
    seed_plan(app)
    with app.app_context():
        district = find_version("945")
        got = target_service.effective_targets(district, 2024)
        assert sorted(got) == ["K02", "K08", "K09", "K14"]
        province = find_version("94")
        assert "K03" in target_service.effective_targets(province, 2024)
        assert target_service.effective_targets(province, 2025) == {}
