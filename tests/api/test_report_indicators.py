"""Indicators K01–K14 on the hand-worked fixture (tests/api/report_fixture.py): the
province, a district and a commune, for a month and for the year; pending records, the
union's cut-off periods, targets, consent and small-count suppression, the records
behind an indicator."""

import pytest

from tests.api import report_fixture
from tests.api.sync_helpers import item
from tests.api.test_report_targets import seed_plan
from tests.api.test_review import decide
from tests.api.test_sync import sync
from tests.conftest import assert_problem


@pytest.fixture
def records(app, login):
    seed_plan(app)
    return report_fixture.build(login)


def fetch(session, **args):
    query = "&".join(f"{k}={v}" for k, v in args.items())
    res = session.get(f"/api/reports/indicators?{query}")
    assert res.status_code == 200, res.get_json()
    return res.get_json()


# Parts drawn from the entries on cases and groups (tests/api/test_entries.py checks them;
# the records here have none).
ENTRY_PARTS = {"met", "meetings", "supported", "served", "referrals"}


def figures(body) -> dict:
    """code -> (actual, target, {part: value}), without the entry parts"""
    return {i["code"]: (i["actual"], i["target"], {p["key"]: p["value"] for p in i["parts"]
                                                   if p["key"] not in ENTRY_PARTS})
            for i in body["indicators"]}


def by_unit(body, code) -> dict:
    ind = next(i for i in body["indicators"] if i["code"] == code)
    return {row["unit"]["code"]: row for row in ind["units"]}


def test_province_year(records, login):
    body = fetch(login("admin.tinh"), unit="94", year=2024)
    got = figures(body)
    assert body["period"]["from"] == "2024-01-01" and body["period"]["to"] == "2024-12-31"
    assert got["K01"] == (4, None, {"sessions": 4, "people": 110, "female": 83, "male": 17,
                                    "minority": 10})
    # 120 units (1 + 11 + 108) x 12 months; only An Thạnh 2 in November is done.
    assert got["K02"] == (1, 1440, {"activities": 1, "units": 120,
                                    "unit_months_required": 1440, "missed_units": 120})
    # The target names four places; two have an approved session.
    assert got["K03"] == (2, 4, {"sessions": 2, "lead": 1, "cooperate": 1,
                                 "recommendations": 5, "accepted": 3})
    assert got["K04"] == (1, 1, {"sessions": 1, "documents": 0})
    assert got["K05"] == (2, None, {"members": 29})
    assert got["K06"] == (1, 11, {"teams_trained": 1, "tot_classes": 0, "tot_people": 0})
    assert got["K07"] == (1, 3, {"people": 80})
    assert got["K08"] == (66.7, 100, {"cases": 3, "reached": 2})
    assert got["K09"] == (100.0, 100, {"cases": 1, "reached": 1})
    assert got["K10"] == (1, None, {"cases": 1, "reached": 1})
    assert got["K11"] == (4, None, {"received": 4, "handled": 2, "referred": 1, "guided": 1})
    assert got["K12"] == (12, None, {"advice_sessions": 1, "mediations": 3,
                                     "mediations_success": 2})
    assert got["K13"] == (1, None, {"people": 80})
    assert got["K14"][0] is None
    k14 = next(i for i in body["indicators"] if i["code"] == "K14")
    assert k14["available"] is False and k14["target"] == 100
    k03 = next(i for i in body["indicators"] if i["code"] == "K03")
    assert [(p["code"], p["done"]) for p in k03["places"]] == [
        ("945", True), ("31630", False), ("942", False), ("31585", True)]
    assert k03["progress"] == 50.0
    k05 = next(i for i in body["indicators"] if i["code"] == "K05")
    assert {t["key"]: t["value"] for t in k05["by_type"]} == {
        "to_phan_ung_nhanh_xam_hai_tre_em": 1, "chia_se": 1}
    # The units behind: the province's own records first, then each district.
    k01 = by_unit(body, "K01")
    assert list(k01)[:3] == ["94", "941", "942"] and len(k01) == 12
    assert k01["94"]["unit"]["own"] and k01["94"]["actual"] == 0
    assert (k01["945"]["actual"], k01["945"]["people"]) == (3, 85)
    assert (k01["942"]["actual"], k01["942"]["people"]) == (1, 25)
    assert by_unit(body, "K07")["94"]["actual"] == 1
    k02 = by_unit(body, "K02")
    assert (k02["945"]["actual"], k02["945"]["target"]) == (1, 9 * 12)
    missed = {m["unit"]["code"]: m["months"] for m in body["law_day"]["missed"]}
    assert len(missed) == 120 and missed["31630"] == [f"2024-{m:02d}" for m in range(1, 13)
                                                      if m != 11]


def test_province_month(records, login):
    got = figures(fetch(login("admin.tinh"), unit="94", year=2024, period="2024-11"))
    assert got["K01"] == (3, None, {"sessions": 3, "people": 80, "female": 63, "male": 7,
                                    "minority": 10})
    assert got["K02"][:2] == (1, 120)
    assert got["K03"][0] == 1 and got["K03"][2]["recommendations"] == 3
    assert got["K04"][0] == 0
    assert got["K05"][0] == 2
    assert got["K06"][0] == 0
    assert got["K07"][0] == 1
    assert got["K08"] == (50.0, 100, {"cases": 2, "reached": 1})
    assert got["K09"][0] == 100.0
    assert got["K10"][0] == 0
    assert got["K11"][0] == 0
    assert got["K12"][0] == 12
    assert got["K13"][0] == 1


def test_pending_records_count_only_when_asked(records, login):
    admin = login("admin.tinh")
    got = figures(fetch(admin, unit="94", year=2024, period="11", include_pending="true"))
    assert got["K01"][0] == 4 and got["K13"][0] == 2 and got["K06"][0] == 1
    assert got["K05"][0] == 3
    # The returned TOT class never counts.
    assert got["K06"][2]["tot_classes"] == 0


def test_district_year_and_month(records, login):
    district = login("giamsat.culaodung")
    year = fetch(district, unit="945", year=2024)
    got = figures(year)
    assert got["K01"] == (3, None, {"sessions": 3, "people": 85, "female": 58, "male": 17,
                                    "minority": 10})
    assert got["K02"][:2] == (1, 108)
    assert got["K03"] == (1, None, {"sessions": 1, "lead": 0, "cooperate": 1,
                                    "recommendations": 2, "accepted": 1})
    assert got["K05"][0] == 1 and got["K06"][0] == 1 and got["K07"][0] == 0
    assert got["K08"] == (50.0, 100, {"cases": 2, "reached": 1})
    assert got["K09"][0] is None and got["K12"][0] == 12
    assert [c["code"] for c in year["children"]][:2] == ["31615", "31618"]
    assert len(year["children"]) == 8
    month = figures(fetch(district, unit="945", year=2024, period="2024-11"))
    assert month["K01"][2] == {"sessions": 2, "people": 55, "female": 38, "male": 7,
                               "minority": 10}
    assert month["K03"][0] == 0
    assert month["K08"][2] == {"cases": 2, "reached": 1}


def test_commune_year_and_month(records, login):
    admin = login("admin.tinh")
    year = figures(fetch(admin, unit="31630", year=2024))
    assert year["K01"] == (2, None, {"sessions": 2, "people": 75, "female": 58, "male": 17,
                                     "minority": 10})
    assert year["K02"][:2] == (1, 12)
    assert year["K12"][0] == 12 and year["K12"][2]["mediations"] == 3
    assert year["K05"][0] == 1
    month = figures(fetch(admin, unit="31630", year=2024, period="2024-11"))
    assert month["K01"][:2] == (1, None) and month["K01"][2]["people"] == 45
    assert month["K02"][:2] == (1, 1)


def test_union_cutoff_periods(records, login):
    admin = login("admin.tinh")
    nov = fetch(admin, unit="94", year=2024, period="2024-11", union_cutoff="true")
    assert (nov["period"]["from"], nov["period"]["to"]) == ("2024-10-15", "2024-11-14")
    got = figures(nov)
    # A3 (20/11) and A8 (25/11) fall in December's cut-off; A7 (15/10) in November's.
    assert got["K01"][0] == 3 and got["K03"][0] == 1 and got["K04"][0] == 1
    assert got["K02"][2]["activities"] == 0 and got["K07"][0] == 0
    year = fetch(admin, unit="31630", year=2024, union_cutoff="true")
    assert (year["period"]["from"], year["period"]["to"]) == ("2023-12-15", "2024-12-14")
    # A15 (20/12/2023) is January 2024 for the union; A3 (20/11/2024) is December.
    assert figures(year)["K02"][:2] == (2, 12)
    assert year["law_day"]["missed"][0]["months"] == [f"2024-{m:02d}" for m in range(2, 12)]
    q4 = figures(fetch(admin, unit="94", year=2024, period="Q4"))
    assert q4["K01"][0] == 3 and q4["K04"][0] == 1 and q4["K11"][0] == 4


def test_incidents_need_consent_and_small_counts_are_hidden_outside(records, login):
    admin = login("admin.tinh")
    body = fetch(admin, unit="94", year=2024)
    # I3 (no consent to statistics) and I6 (a man) are not among the 3 women.
    assert figures(body)["K08"][2] == {"cases": 3, "reached": 2}
    k08 = by_unit(body, "K08")
    assert (k08["945"]["cases"], k08["945"]["reached"], k08["945"]["actual"]) == (
        "<5", "<5", None)
    assert (k08["942"]["cases"], k08["942"]["actual"]) == ("<5", None)
    assert k08["941"]["cases"] == 0
    # One hidden cell and nothing else to hide it behind: the total already shows it is
    # the only non-zero one, so no complementary cell exists to take.
    k09 = by_unit(body, "K09")
    assert k09["942"]["cases"] == "<5" and k09["945"]["cases"] == 0
    # A district is not "its" commune: 2 cases in An Thạnh 2 show as <5 to the district.
    district = fetch(login("giamsat.culaodung"), unit="945", year=2024)
    assert figures(district)["K08"][2] == {"cases": 2, "reached": 1}
    assert by_unit(district, "K08")["31630"]["cases"] == "<5"
    commune = figures(fetch(admin, unit="31630", year=2024))
    assert commune["K08"] == (None, 100, {"cases": "<5", "reached": "<5"})


def test_a_lone_hidden_cell_takes_a_complementary_one(app, login):
    """Two districts with cases: 942 has 1 (hidden), 945 has 6. Without a second hidden
    cell the province total (7) would give 942's count away."""
    seed_plan(app)
    officer, reviewer = login("canbo.anthanh2"), login("giamsat.culaodung")
    for day in range(1, 7):
        it = item(report_fixture.case(f"2024-03-{day:02d}", ["bao_luc_gia_dinh"], "nu", True,
                                      "da_nhan"), form="incident")
        assert sync(officer, it)[0]["status"] == "accepted"
        assert decide(reviewer, it["uuid"], "approve").status_code == 200
    it = item(report_fixture.case("2024-03-09", ["bao_luc_gia_dinh"], "nu", True, "da_nhan"),
              form="incident", unit="31585")
    assert sync(login("canbo.thienmy"), it)[0]["status"] == "accepted"
    assert decide(login("giamsat.chauthanh"), it["uuid"], "approve").status_code == 200
    body = fetch(login("admin.tinh"), unit="94", year=2024)
    k08 = by_unit(body, "K08")
    assert (k08["942"]["cases"], k08["945"]["cases"]) == ("<5", "*")
    assert figures(body)["K08"][2] == {"cases": 7, "reached": 7}
    assert k08["945"]["actual"] is None


def test_records_behind_an_indicator(records, login):
    admin = login("admin.tinh")
    res = admin.get("/api/reports/records?unit=31630&year=2024&indicator=K01")
    body = res.get_json()
    assert {r["uuid"] for r in body["records"]} == {records["A1"], records["A2"]}
    assert body["records"][0]["kind_label"] == "Tuyên truyền, phổ biến, giáo dục pháp luật"
    pending = admin.get("/api/reports/records?unit=31630&year=2024&indicator=K01"
                        "&include_pending=true").get_json()
    assert pending["total"] == 3
    k05 = admin.get("/api/reports/records?unit=945&year=2024&indicator=K05").get_json()
    assert [r["uuid"] for r in k05["records"]] == [records["M1"]]
    everything = admin.get("/api/reports/records?unit=31630&year=2024").get_json()
    assert everything["total"] == 7  # A1 A2 A3 A9 A10 + M1 M4; never the cases
    assert_problem(admin.get("/api/reports/records?unit=31630&year=2024&indicator=K08"),
                   403, "report.private")


@pytest.mark.parametrize("username, query, status, code", [
    ("canbo.anthanh2", "unit=31630&year=2024", 403, "report.not_allowed"),
    ("giamsat.culaodung", "unit=942&year=2024", 403, "report.not_allowed"),
    ("giamsat.culaodung", "unit=94&year=2024", 403, "report.not_allowed"),
    ("admin.tinh", "unit=99999&year=2024", 404, "unit.not_found"),
    ("admin.tinh", "unit=94", 400, "request.invalid"),
    ("admin.tinh", "unit=94&year=24", 400, "request.invalid"),
    ("admin.tinh", "unit=94&year=2024&period=Q5", 400, "request.invalid"),
    ("admin.tinh", "unit=94&year=2024&period=2023-11", 400, "request.invalid"),
    ("admin.tinh", "unit=94&year=2024&include_pending=maybe", 400, "request.invalid"),
    ("admin.tinh", "unit=94&year=2024&colour=red", 400, "request.invalid"),
])
def test_bad_indicator_requests(login, username, query, status, code):
    assert_problem(login(username).get(f"/api/reports/indicators?{query}"), status, code)


def test_indicators_need_sign_in(client):
    assert_problem(client.get("/api/reports/indicators?year=2024"), 401, "auth.required")


def test_default_unit_is_her_own_and_targets_are_inherited(records, login):
    body = fetch(login("giamsat.culaodung"), year=2024)
    assert body["unit"]["code"] == "945"
    assert [u["code"] for u in body["path"]] == ["94", "945"]
    got = figures(body)
    assert got["K08"][1] == 100 and got["K03"][1] is None and got["K02"][1] == 108
