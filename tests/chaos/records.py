"""Random records a commune officer could send: valid activity, model-group and incident
answers built from a seeded `random.Random`, so a failing run can be replayed."""

from __future__ import annotations

import random
import uuid as uuid_lib
from datetime import date, timedelta

from cslp_forms.services.base.forms import registry

CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
# Activity types and the answers each one requires (required_if in the definition).
KIND_NEEDS = {
    "pbgdpl": "laws", "ngay_phap_luat": "laws", "giam_sat": "supervision",
    "phan_bien": "supervision", "tiep_nhan_don_thu": "petitions",
    "tu_van_phap_luat": "consultations", "hoa_giai": "mediations", "tap_huan": None,
    "doi_thoai": None, "sinh_hoat_mo_hinh": None, "khac": None,
}
LAWS = ["luat_pcblgd_2022", "luat_binh_dang_gioi_2006", "luat_tre_em_2016",
        "luat_hon_nhan_gia_dinh_2014", "luat_pc_mua_ban_nguoi"]
SOURCES = ["thuong_xuyen", "de_an_938", "du_an_8", "tai_tro"]
WORDS = ["Tuyên truyền", "Luật", "bình đẳng giới", "ấp Phước Hòa", "chi hội", "phụ nữ",
         "gia đình", "trẻ em", "hòa giải", "pháp luật", "Khmer", "sinh hoạt"]


def _day(rng: random.Random) -> str:
    return (date(2024, 1, 1) + timedelta(days=rng.randrange(360))).isoformat()


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def _split(rng: random.Random, total: int) -> tuple[int, int]:
    female = rng.randint(0, total)
    return female, rng.randint(0, total - female)


def activity(rng: random.Random, unit: str) -> dict:
    kind = rng.choice(sorted(KIND_NEEDS))
    total = rng.randint(1, 300)
    female, male = _split(rng, total)
    answers = {"start_date": _day(rng), "activity_type": kind,
               "program_source": rng.sample(SOURCES, rng.randint(1, 2)),
               "title_content": _text(rng, rng.randint(2, 8)), "participants_total": total,
               "participants_female": female, "participants_male": male,
               "location_unit": unit}
    need = KIND_NEEDS[kind]
    if need == "laws":
        answers["laws_covered"] = rng.sample(LAWS, rng.randint(1, 3))
    elif need == "supervision":
        made = rng.randint(0, 9)
        answers |= {"supervised_entity": "UBND xã", "supervision_topic": _text(rng, 4),
                    "recommendations_made": made,
                    "recommendations_accepted": rng.randint(0, made)}
    elif need == "petitions":
        received = rng.randint(1, 12)
        handled = rng.randint(0, received)
        answers |= {"petitions_received": received, "petitions_handled": handled,
                    "petitions_referred": received - handled}
    elif need == "consultations":
        answers["consultations"] = rng.randint(1, 40)
    elif need == "mediations":
        mediations = rng.randint(1, 6)
        answers |= {"mediations": mediations,
                    "mediations_success": rng.randint(0, mediations)}
    if rng.random() < 0.3:
        answers["notes"] = _text(rng, rng.randint(5, 40))
    return answers


def model_group(rng: random.Random, unit: str) -> dict:
    kind = rng.choice(["chia_se", "gia_dinh_hanh_phuc", "nhom_cha_me", "dia_chi_tin_cay",
                       "to_phan_ung_nhanh_xam_hai_tre_em"])
    total = rng.randint(3, 40)
    female, male = _split(rng, total)
    answers = {"model_type": kind, "name": "Tổ " + _text(rng, 3),
               "program_source": rng.sample(SOURCES, 1), "established_date": _day(rng),
               "status": rng.choice(["dang_hoat_dong", "tam_ngung"]), "status_date": _day(rng),
               "members_total": total, "members_female": female, "members_male": male,
               "location_unit": unit, "trained_tot": rng.random() < 0.5}
    if kind == "to_phan_ung_nhanh_xam_hai_tre_em":
        answers["member_sectors"] = ["hoi_phu_nu", "cong_an", "y_te"]
    if kind == "dia_chi_tin_cay":
        answers["shelter_available"] = True
        answers["shelter_capacity"] = rng.randint(1, 6)
    if answers["trained_tot"]:
        answers["tot_trained_count"] = rng.randint(1, total)
    if rng.random() < 0.5:
        answers["meetings"] = [{"date": _day(rng), "topic": _text(rng, 3),
                                "participants_total": rng.randint(1, total)}
                               for _ in range(rng.randint(1, 4))]
    return answers


def incident(rng: random.Random, unit: str) -> dict:
    category = rng.choice(["bao_luc_gia_dinh", "xam_hai_tre_em", "khac"])
    answers = {
        "survivor_code": "".join(rng.choice(CODE_LETTERS) for _ in range(4)) + "-"
        + "".join(rng.choice(CODE_LETTERS) for _ in range(4)),
        "intake_date": _day(rng), "intake_channel": "truc_tiep", "incident_unit": unit,
        "case_category": [category], "survivor_sex": rng.choice(["nu", "nam"]),
        "survivor_age_group": "12_15" if category == "xam_hai_tre_em" else "18_59",
        "risk_level": rng.choice(["cao", "trung_binh", "thap"]),
        # An urgent incident also alerts the district (a notification with a unique key).
        "immediate_danger": rng.random() < 0.2,
        "consent_services": "dong_y", "consent_given_by": "ban_than",
        "consent_reporting": rng.random() < 0.7, "case_status": "dang_ho_tro",
        "summary": _text(rng, rng.randint(3, 20)),
    }
    if category == "bao_luc_gia_dinh":
        answers |= {"dv_acts": ["a"], "dv_forms": ["the_chat", "tinh_than"]}
    if category == "xam_hai_tre_em":
        answers["child_abuse_forms"] = ["bao_luc"]
    if rng.random() < 0.5:
        answers["services"] = [{"service_type": "y_te", "provider": "tram_y_te_benh_vien",
                                "status": "da_nhan", "date": answers["intake_date"]}]
    return answers


BUILDERS = {"activity": activity, "model_group": model_group, "incident": incident}
MIX = ["activity"] * 6 + ["model_group"] * 2 + ["incident"] * 2


def _checked(form: str, answers: dict) -> dict:
    # A builder mistake shows here, not as a puzzling `rejected` under chaos.
    errors = registry().get(form, 1).validate(answers, [])
    assert errors == [], (form, errors)
    return answers


def random_record(rng: random.Random, unit: str) -> dict:
    """One sync item for a new record."""
    form = rng.choice(MIX)
    return {"uuid": str(uuid_lib.UUID(int=rng.getrandbits(128), version=4)), "form": form,
            "version": 1, "unit": unit, "base_revision": None,
            "answers": _checked(form, BUILDERS[form](rng, unit)), "attachments": []}


def edited(rng: random.Random, item: dict) -> dict:
    """The same record edited on the phone after the server stored it: revision 2."""
    answers = BUILDERS[item["form"]](rng, item["unit"])
    return {**item, "base_revision": 1, "answers": _checked(item["form"], answers)}
