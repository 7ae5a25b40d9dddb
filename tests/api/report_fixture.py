"""A small year of records whose indicators were worked out by hand (see the expected
values in test_report_indicators.py). Every record goes through the real sync API and
real review decisions, so the report facts are the ones production would hold.

    unit   date        form / kind                     numbers                 state
A1  31630  2024-11-09  pbgdpl                           45 (nữ 38, nam 7, DTTS 10) approved
A2  31630  2024-03-05  pbgdpl                           30 (nữ 20, nam 10)       approved
A3  31630  2024-11-20  ngay_phap_luat                   60                      approved
A4  31585  2024-11-12  pbgdpl                           25 (nữ 25)              approved
A5  31585  2024-11-14  giam_sat, chủ trì, at 31585      kiến nghị 3, tiếp thu 2   approved
A6  945    2024-06-10  giam_sat, phối hợp, at 945       kiến nghị 2, tiếp thu 1   approved
A7  94     2024-10-15  phan_bien                        kiến nghị 5, tiếp thu 3   approved
A8  94     2024-11-25  hoi_nghi_nhan_rong_mo_hinh, campaign BĐG 80            approved
A9  31630  2024-11-11  tu_van_phap_luat                 12 lượt tư vấn          approved
A10 31630  2024-11-11  hoa_giai                         3 vụ, 2 thành           approved
A11 31585  2024-12-02  tiep_nhan_don_thu                4 / 2 / 1 / 1           approved
A12 31630  2024-11-26  pbgdpl, campaign 25/11           50                      submitted
A13 31585  2024-11-16  tot                              20                      returned
A14 31633  2024-11-05  pbgdpl                           10                      approved
A15 31630  2023-12-20  ngay_phap_luat                   40                      approved
M1  31630  rapid response team, est. 2024-06-01, active 2024-11-01, 9 members, TOT  approved
M2  31585  chia_se club, est. 2023-05-01, active 2024-02-01, 20 members            approved
M3  31585  rapid response team, est. 2024-11-20, active, 7 members             in_review
M4  31630  gia_dinh_hanh_phuc, paused 2024-09-01, 15 members                     approved
I1  31630  2024-11-03  domestic violence, woman, consent, service received     approved
I2  31630  2024-11-08  domestic violence, woman, consent, service referred     approved
I3  31630  2024-07-10  domestic violence, woman, NO consent, service received  approved
I4  31585  2024-11-10  trafficking returnee, woman, consent, service received  approved
I5  31585  2024-05-10  child abuse + domestic violence, girl, consent, received approved
I6  31630  2024-11-21  domestic violence, man, consent                         approved
"""

from __future__ import annotations

from tests.api.sync_helpers import activity, item
from tests.api.test_review import decide
from tests.api.test_sync import sync

# Who files each unit's records, and who reviews them first. Nobody reviews her own record
# (issue 14.6): An Thạnh 3's are filed by its officer, the province's own by a supervisor
# and reviewed by the province's administrator.
OFFICER = {"31630": "canbo.anthanh2", "31585": "canbo.thienmy", "31633": "canbo.anthanh3",
           "945": "giamsat.culaodung", "942": "giamsat.chauthanh", "94": "giamsat.tinh"}
DISTRICT = {"31630": "giamsat.culaodung", "31633": "giamsat.culaodung",
            "31585": "giamsat.chauthanh", "945": "giamsat.tinh", "942": "giamsat.tinh",
            "94": "admin.tinh"}


def act(day, kind, total=None, **more):
    answers = activity(start_date=day, activity_type=kind, title_content=f"{kind} {day}")
    for key in ("participants_female", "participants_male", "laws_covered"):
        answers.pop(key)
    if kind in ("pbgdpl", "ngay_phap_luat", "tot", "tu_van_phap_luat"):
        answers["laws_covered"] = ["luat_pcblgd_2022"]
    answers["participants_total"] = total if total is not None else 1
    if kind in ("giam_sat", "phan_bien"):
        answers |= {"supervised_entity": "UBND", "supervision_topic": "Chính sách lao động nữ"}
    answers.update(more)
    return answers


def group(model_type, established, status, status_date, members, **more):
    return {"model_type": model_type, "name": f"{model_type} {established}",
            "program_source": ["de_an_938"], "established_date": established,
            "status": status, "status_date": status_date, "members_total": members, **more}


CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def survivor_code(day: str) -> str:
    """A pseudonym in the form's alphabet (no I, O, 0 or 1), different for each day."""
    n = int(day.replace("-", ""))
    letters = []
    for _ in range(4):
        n, r = divmod(n, len(CODE_LETTERS))
        letters.append(CODE_LETTERS[r])
    return "K7QM-" + "".join(letters)


def case(day, categories, sex, consent, service=None, **more):
    answers = {"survivor_code": survivor_code(day), "intake_date": day,
               "intake_channel": "truc_tiep", "incident_unit": "31630",
               "case_category": categories, "survivor_sex": sex,
               "survivor_age_group": "18_59", "risk_level": "trung_binh",
               "immediate_danger": False, "consent_services": "dong_y",
               "consent_given_by": "ban_than", "consent_reporting": consent,
               "case_status": "dang_ho_tro",
               "summary": "GHI-CHU-MAT chỉ cán bộ phụ trách được đọc"}
    if "bao_luc_gia_dinh" in categories:
        answers |= {"dv_acts": ["a"], "dv_forms": ["the_chat"]}
    if "xam_hai_tre_em" in categories:
        answers |= {"child_abuse_forms": ["bao_luc"], "survivor_age_group": "12_15"}
    if "nan_nhan_mua_ban_tro_ve" in categories:
        answers |= {"trafficking_return_mode": "tu_tro_ve"}
    if service:
        answers["services"] = [{"service_type": "y_te", "provider": "tram_y_te_benh_vien",
                                "status": service, "date": day}]
    return answers | more


DV, TR, CH = "bao_luc_gia_dinh", "nan_nhan_mua_ban_tro_ve", "xam_hai_tre_em"

RECORDS = {
    "A1": ("31630", "activity", act("2024-11-09", "pbgdpl", 45, participants_female=38,
                                    participants_male=7, participants_ethnic_minority=10),
           "approved"),
    "A2": ("31630", "activity", act("2024-03-05", "pbgdpl", 30, participants_female=20,
                                    participants_male=10), "approved"),
    "A3": ("31630", "activity", act("2024-11-20", "ngay_phap_luat", 60), "approved"),
    "A4": ("31585", "activity", act("2024-11-12", "pbgdpl", 25, participants_female=25),
           "approved"),
    "A5": ("31585", "activity", act("2024-11-14", "giam_sat", 12, lead_role="chu_tri",
                                    supervised_unit="31585", recommendations_made=3,
                                    recommendations_accepted=2), "approved"),
    "A6": ("945", "activity", act("2024-06-10", "giam_sat", 8, lead_role="phoi_hop",
                                  supervised_unit="945", recommendations_made=2,
                                  recommendations_accepted=1), "approved"),
    "A7": ("94", "activity", act("2024-10-15", "phan_bien", 30, recommendations_made=5,
                                 recommendations_accepted=3), "approved"),
    "A8": ("94", "activity", act("2024-11-25", "hoi_nghi_nhan_rong_mo_hinh", 80,
                                 campaign="thang_hanh_dong_bdg_15_11_15_12"), "approved"),
    "A9": ("31630", "activity", act("2024-11-11", "tu_van_phap_luat", 12, consultations=12),
           "approved"),
    "A10": ("31630", "activity", act("2024-11-11", "hoa_giai", 6, mediations=3,
                                     mediations_success=2), "approved"),
    "A11": ("31585", "activity", act("2024-12-02", "tiep_nhan_don_thu", 4,
                                     petitions_received=4, petitions_handled=2,
                                     petitions_referred=1, petitions_guided=1), "approved"),
    "A12": ("31630", "activity", act("2024-11-26", "pbgdpl", 50, campaign="ngay_25_11"),
            "submitted"),
    "A13": ("31585", "activity", act("2024-11-16", "tot", 20), "returned"),
    "A14": ("31633", "activity", act("2024-11-05", "pbgdpl", 10), "approved"),
    "A15": ("31630", "activity", act("2023-12-20", "ngay_phap_luat", 40), "approved"),
    "M1": ("31630", "model_group", group("to_phan_ung_nhanh_xam_hai_tre_em", "2024-06-01",
                                         "dang_hoat_dong", "2024-11-01", 9,
                                         member_sectors=["hoi_phu_nu", "cong_an"],
                                         trained_tot=True, tot_date="2024-07-01",
                                         tot_trained_count=9), "approved"),
    "M2": ("31585", "model_group", group("chia_se", "2023-05-01", "dang_hoat_dong",
                                         "2024-02-01", 20), "approved"),
    "M3": ("31585", "model_group", group("to_phan_ung_nhanh_xam_hai_tre_em", "2024-11-20",
                                         "dang_hoat_dong", "2024-11-20", 7,
                                         member_sectors=["hoi_phu_nu"]), "in_review"),
    "M4": ("31630", "model_group", group("gia_dinh_hanh_phuc", "2022-01-01", "tam_ngung",
                                         "2024-09-01", 15), "approved"),
    "I1": ("31630", "incident", case("2024-11-03", [DV], "nu", True, "da_nhan"), "approved"),
    "I2": ("31630", "incident", case("2024-11-08", [DV], "nu", True, "da_chuyen"),
           "approved"),
    "I3": ("31630", "incident", case("2024-07-10", [DV], "nu", False, "da_nhan"),
           "approved"),
    "I4": ("31585", "incident", case("2024-11-10", [TR], "nu", True, "da_nhan"), "approved"),
    "I5": ("31585", "incident", case("2024-05-10", [CH, DV], "nu", True, "da_nhan"),
           "approved"),
    "I6": ("31630", "incident", case("2024-11-21", [DV], "nam", True), "approved"),
}


def build(login) -> dict[str, str]:
    """File and review every record; returns name -> uuid."""
    sessions: dict[str, object] = {}

    def session(username):
        if username not in sessions:
            sessions[username] = login(username)
        return sessions[username]

    uuids = {}
    for name, (unit, form, answers, state) in RECORDS.items():
        it = item(answers, form=form, unit=unit)
        result = sync(session(OFFICER[unit]), it)[0]
        assert result["status"] == "accepted", (name, result)
        uuids[name] = it["uuid"]
        reviewer = session(DISTRICT[unit])
        if state == "approved":
            res = decide(reviewer, it["uuid"], "approve")
            assert res.status_code == 200, (name, res.get_json())
            if res.get_json()["status"] == "in_review":
                res = decide(session("giamsat.tinh"), it["uuid"], "approve")
            assert res.get_json()["status"] == "approved", name
        elif state == "in_review":
            assert decide(reviewer, it["uuid"], "approve").get_json()["status"] == "in_review"
        elif state == "returned":
            assert decide(reviewer, it["uuid"], "return", comment="Bổ sung").status_code == 200
    return uuids
