"""Demo records spread over 2024, so the `make run` dashboard has figures: every unit's
monthly Law Day activity (a few months missed), legal education, the plan's supervision
sessions and conferences, rapid response teams and other models, petitions, advice,
mediation, the Action Month, cases, and the units' yearly plans and year-end reports.
Generated from a fixed seed with fixed UUIDs and sent through the real sync and review
services, so running it again adds nothing."""

from __future__ import annotations

import random
import uuid as uuid_lib
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select, update

from ...extensions import db
from ...models import Submission, Unit, User
from ..base.forms import registry
from ..records.chain import chain_of
from ..review import decide
from ..sync import apply_sync_batch
from ..users import create_user

YEAR = 2024
NAMESPACE = uuid_lib.UUID("6f1c2b0e-3f7a-4c55-9d0e-2a8f3b1c9e01")
AUTHOR = "demo.nhaplieu"
LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
TOPICS = ["Luật Phòng, chống bạo lực gia đình 2022", "Luật Bình đẳng giới",
          "Luật Trẻ em", "Luật Hôn nhân và gia đình", "phòng, chống mua bán người",
          "phòng, chống tín dụng đen", "phòng, chống ma túy và tệ nạn xã hội"]
LAWS = ["luat_pcblgd_2022", "luat_binh_dang_gioi_2006", "luat_tre_em_2016",
        "luat_hon_nhan_gia_dinh_2014", "luat_pc_mua_ban_nguoi", "khac", "khac"]
MODELS = ["to_clb_binh_dang_gioi", "chia_se", "niem_vui_nhan_doi", "gia_dinh_hanh_phuc",
          "gia_dinh_tien_bo", "nhom_cha_me", "dia_chi_tin_cay", "da8_clb_thu_linh_thay_doi"]


def _model_label(kind: str) -> str:
    """A model's Vietnamese name as the form lists it (with its diacritics), for the demo
    group names: "Mô hình “Chia sẻ” Xã An Thạnh 2", not "Mô hình chia se …"."""
    definition = registry().get("model_group", 1)
    [choice] = [c for c in definition.data["choice_lists"]["model_type"]["choices"]
                if c["value"] == kind]
    return choice["label"]["vi"].replace('"', "“", 1).replace('"', "”", 1)


class _Plan:
    """The records to create, in order, each with the state it should end in."""

    def __init__(self):
        self.rng = random.Random(YEAR)
        self.items: list[tuple[dict, str]] = []

    def add(self, form: str, unit: Unit, answers: dict, state: str = "approved") -> None:
        n = len(self.items)
        self.items.append(({"uuid": str(uuid_lib.uuid5(NAMESPACE, f"cslp-demo-{YEAR}/{n}")),
                            "form": form, "version": 1, "unit": unit.code,
                            "base_revision": None, "answers": answers, "attachments": []},
                           state))

    def state(self, pending_share: float = 0.06) -> str:
        return "submitted" if self.rng.random() < pending_share else "approved"

    def day(self, month: int, lo: int = 1, hi: int = 28) -> str:
        return date(YEAR, month, self.rng.randint(lo, hi)).isoformat()

    def people(self, lo: int, hi: int, minority: bool = False) -> dict:
        total = self.rng.randint(lo, hi)
        female = round(total * self.rng.uniform(0.6, 0.9))
        out = {"participants_total": total, "participants_female": female,
               "participants_male": total - female}
        if minority:
            out["participants_ethnic_minority"] = round(total * self.rng.uniform(0, 0.4))
        return out


def _activity(day: str, kind: str, title: str, *, laws=None, **more) -> dict:
    answers = {"start_date": day, "activity_type": kind, "program_source": ["thuong_xuyen"],
               "title_content": title, **more}
    answers.setdefault("participants_total", 1)
    if laws and kind in ("pbgdpl", "ngay_phap_luat", "tap_huan", "tot", "tu_van_phap_luat"):
        answers["laws_covered"] = laws
    return answers


def _plan(units: list[Unit], by_code: dict[str, Unit]) -> _Plan:
    plan = _Plan()
    rng = plan.rng
    communes = [u for u in units if u.level == "commune"]
    districts = [u for u in units if u.level == "district"]
    province = next(u for u in units if u.level == "province")

    # II.10: every unit, every month, one Law Day activity; about 1 in 14 missed.
    for month in range(1, 13):
        for unit in units:
            if not unit.is_valid_on(date(YEAR, month, 10)) or rng.random() < 0.07:
                continue
            topic = rng.randrange(len(TOPICS))
            plan.add("activity", unit, _activity(
                plan.day(month, 1, 14), "ngay_phap_luat",
                f"Hưởng ứng Ngày Pháp luật tháng {month}/{YEAR}: {TOPICS[topic]}",
                laws=[LAWS[topic]], **plan.people(15, 90, minority=True)), plan.state())

    # II.8: legal education, advice, mediation, petitions.
    for unit in communes + districts:
        for _ in range(rng.randint(1, 4)):
            topic = rng.randrange(len(TOPICS))
            plan.add("activity", unit, _activity(
                plan.day(rng.randint(1, 12)), "pbgdpl", f"Tuyên truyền {TOPICS[topic]}",
                laws=[LAWS[topic]], **plan.people(20, 150, minority=True)), plan.state())
    for unit in rng.sample(communes, 45):
        plan.add("activity", unit, _activity(
            plan.day(rng.randint(1, 12)), "tu_van_phap_luat", "Tư vấn pháp luật lưu động",
            laws=["luat_hon_nhan_gia_dinh_2014"], participants_total=rng.randint(5, 30),
            consultations=rng.randint(3, 25)), plan.state())
    for unit in rng.sample(communes, 35):
        mediations = rng.randint(1, 6)
        plan.add("activity", unit, _activity(
            plan.day(rng.randint(1, 12)), "hoa_giai", "Hòa giải mâu thuẫn gia đình",
            participants_total=mediations * 3, mediations=mediations,
            mediations_success=rng.randint(0, mediations)), plan.state())
    for unit in rng.sample(communes + districts, 25):
        received = rng.randint(1, 6)
        handled = rng.randint(0, received)
        guided = rng.randint(0, received - handled)
        plan.add("activity", unit, _activity(
            plan.day(rng.randint(1, 12)), "tiep_nhan_don_thu", "Tiếp nhận đơn thư của phụ nữ",
            participants_total=received, petitions_received=received,
            petitions_handled=handled, petitions_guided=guided,
            petitions_referred=received - handled - guided,
            petition_types=["kien_nghi_phan_anh"], petition_fields=["hon_nhan_gia_dinh"]),
            plan.state())

    # II.1: the province's four supervision sessions (the last one still in review), and
    # the districts' own.
    for code, day, state in (("945", "2024-05-14", "approved"), ("31630", "2024-05-15",
                             "approved"), ("942", "2024-08-20", "approved"),
                             ("31585", "2024-08-21", "submitted")):
        place = by_code[code]
        plan.add("activity", province, _activity(
            day, "giam_sat", f"Giám sát chính sách lao động nữ nuôi con dưới 36 tháng tại "
                             f"{place.name}",
            supervised_entity=f"UBND {place.name}", supervised_unit=code,
            supervision_topic="Thực hiện chính sách đối với lao động nữ nuôi con dưới 36 tháng",
            lead_role="chu_tri", recommendations_made=rng.randint(2, 5),
            recommendations_accepted=rng.randint(1, 2), participants_total=12), state)
    for unit in districts:
        if rng.random() < 0.6:
            plan.add("activity", unit, _activity(
                plan.day(rng.randint(3, 11)), "giam_sat", "Phối hợp giám sát với MTTQ huyện",
                supervised_entity="UBND xã", supervision_topic="Chính sách đối với phụ nữ",
                lead_role="phoi_hop", recommendations_made=rng.randint(1, 4),
                recommendations_accepted=rng.randint(0, 1), participants_total=8))
    # II.2, II.3: the province's social-criticism conference; comments; dialogues.
    plan.add("activity", province, _activity(
        "2024-09-25", "phan_bien", "Hội nghị phản biện dự thảo đề án hỗ trợ phụ nữ khởi nghiệp",
        supervised_entity="UBND tỉnh Sóc Trăng",
        supervision_topic="Dự thảo đề án hỗ trợ phụ nữ khởi nghiệp giai đoạn 2024-2030",
        recommendations_made=6, recommendations_accepted=4, participants_total=60))
    for unit in rng.sample(districts, 8):
        plan.add("activity", unit, _activity(
            plan.day(rng.randint(2, 11)), "gop_y_du_thao", "Góp ý dự thảo kế hoạch của UBND",
            recommendations_made=rng.randint(1, 5), recommendations_accepted=rng.randint(0, 1),
            participants_total=5))
    for unit in rng.sample(districts, 4):
        plan.add("activity", unit, _activity(
            plan.day(rng.randint(4, 10)), "doi_thoai", "Đối thoại chính sách với phụ nữ",
            recommendations_made=rng.randint(2, 6), recommendations_accepted=rng.randint(1, 2),
            **plan.people(40, 120)))

    # II.7: TOT for the rapid response teams; 2 of the 3 replication conferences.
    for day in ("2024-04-18", "2024-07-11"):
        plan.add("activity", province, _activity(
            day, "tot", "Tập huấn TOT cho thành viên Tổ phản ứng nhanh",
            laws=["luat_tre_em_2016"], **plan.people(25, 40)))
    for code, day in (("943", "2024-06-27"), ("949", "2024-10-17")):
        plan.add("activity", by_code[code], _activity(
            day, "hoi_nghi_nhan_rong_mo_hinh",
            "Hội nghị nhân rộng mô hình phòng ngừa bạo lực trên cơ sở giới",
            program_source=["ct_phong_ngua_bltcsg"], **plan.people(60, 110)))

    # II.4: the Action Month (15/11–15/12) and 25/11.
    for unit in rng.sample(communes + districts, 50):
        campaign = rng.choice(["thang_hanh_dong_bdg_15_11_15_12", "ngay_25_11"])
        day = (date(YEAR, 11, 15) + timedelta(days=rng.randint(0, 30))).isoformat()
        plan.add("activity", unit, _activity(
            day, "pbgdpl", "Truyền thông phòng ngừa bạo lực trên cơ sở giới",
            laws=["luat_binh_dang_gioi_2006"], campaign=campaign,
            **plan.people(30, 200, minority=True)), plan.state())

    # II.5, II.7: models; 9 of the 11 rapid response teams launched.
    for n, district in enumerate(rng.sample(districts, 9)):
        commune = rng.choice([c for c in communes if c.parent_id == district.id])
        established = plan.day(rng.randint(3, 10))
        team = {"model_type": "to_phan_ung_nhanh_xam_hai_tre_em",
                "name": f"Tổ phản ứng nhanh phòng, chống xâm hại trẻ em {commune.name}",
                "program_source": ["de_an_938"], "established_date": established,
                "status": "dang_hoat_dong", "status_date": established,
                "members_total": rng.randint(7, 10),
                "member_sectors": ["hoi_phu_nu", "cong_an", "y_te", "giao_duc"],
                "decision_issuer": "ubnd_xa"}
        if n < 6:
            team |= {"trained_tot": True, "tot_date": "2024-07-11",
                     "tot_trained_count": team["members_total"]}
        plan.add("model_group", commune, team)
    for unit in rng.sample(communes, 60):
        kind = rng.choice(MODELS)
        status = "tam_ngung" if rng.random() < 0.08 else "dang_hoat_dong"
        members = rng.randint(10, 40)
        female = rng.randint(members // 2, members)
        group = {"model_type": kind, "name": f"{_model_label(kind)} {unit.name}",
                 "program_source": ["de_an_938" if rng.random() < 0.5 else "thuong_xuyen"],
                 "established_date": date(rng.randint(2019, 2023), rng.randint(1, 12),
                                          1).isoformat(),
                 "status": status, "status_date": plan.day(rng.randint(1, 12)),
                 "members_total": members, "members_female": female,
                 "members_male": members - female}
        if kind == "dia_chi_tin_cay":
            group["shelter_available"] = False
        plan.add("model_group", unit, group)

    # II.6, II.7: cases (pseudonymous), most consenting to statistics; three in the demo
    # officer's commune, so that her case list and her district's have some to follow.
    for n in range(45):
        unit = rng.choice(communes)
        if n in (6, 7, 8) and "31630" in by_code:
            unit = by_code["31630"]
        day = plan.day(rng.randint(1, 12))
        category = ["nan_nhan_mua_ban_tro_ve"] if n < 6 else rng.choices(
            [["bao_luc_gia_dinh"], ["xam_hai_tre_em"], ["xam_hai_tre_em", "bao_luc_gia_dinh"]],
            weights=[6, 2, 1])[0]
        child = "xam_hai_tre_em" in category
        code = "".join(rng.choice(LETTERS) for _ in range(8))
        answers = {"survivor_code": f"{code[:4]}-{code[4:]}", "intake_date": day,
                   "intake_channel": rng.choice(["truc_tiep", "duong_day_nong_tinh_hoi",
                                                 "chi_to_hoi_phat_hien"]),
                   "incident_unit": unit.code, "case_category": category,
                   "survivor_sex": "nu" if rng.random() < 0.9 else "nam",
                   "survivor_age_group": "12_15" if child else "18_59",
                   "risk_level": rng.choice(["cao", "trung_binh", "thap"]),
                   "immediate_danger": False, "consent_services": "dong_y",
                   "consent_given_by": "ban_than_va_nguoi_dai_dien" if child else "ban_than",
                   "consent_reporting": rng.random() < 0.85, "case_status": "dang_ho_tro"}
        if "bao_luc_gia_dinh" in category:
            answers |= {"dv_acts": ["a"], "dv_forms": ["the_chat", "tinh_than"]}
        if child:
            answers["child_abuse_forms"] = ["bao_luc"]
        if "nan_nhan_mua_ban_tro_ve" in category:
            answers["trafficking_return_mode"] = "duoc_ban_giao"
        status = "da_nhan" if rng.random() < 0.85 else "da_chuyen"
        answers["services"] = [{"service_type": "tu_van_phap_luat_hoi", "provider": "hoi_lhpn",
                                "status": status, "date": day}]
        plan.add("incident", unit, answers, plan.state(0.1))

    # III.2: each district and commune sends its yearly plan in Q1 (a few late, a few
    # never) and its year-end report by the 14/12 cut-off (a few late).
    for n, unit in enumerate(districts + communes, 1):
        roll = rng.random()
        if roll < 0.95:
            day = plan.day(1, 5) if roll < 0.6 else plan.day(3, 1, 31) if roll < 0.88 \
                else plan.day(4, 1, 20)
            plan.add("report", unit, _report("ke_hoach_nam", day, f"{n}/KH-HPN", unit))
        roll = rng.random()
        if roll < 0.9:
            day = plan.day(12, 1, 14) if roll < 0.8 else plan.day(12, 15, 28)
            plan.add("report", unit, _report("bao_cao_nam", day, f"{n}/BC-HPN", unit))
    return plan


def _report(kind: str, day: str, number: str, unit: Unit) -> dict:
    answers = {"report_type": kind, "report_year": YEAR, "report_date": day,
               "document_number": number}
    if kind == "ke_hoach_nam":
        return answers | {
            "title_content": f"Kế hoạch công tác Chính sách – Luật pháp năm {YEAR}",
            "plan_targets": "Mỗi tháng ít nhất 1 hoạt động tuyên truyền, phổ biến pháp luật; "
                            "duy trì các mô hình; phát hiện, hỗ trợ phụ nữ, trẻ em bị bạo lực."}
    return answers | {
        "title_content": f"Báo cáo kết quả công tác Chính sách – Luật pháp năm {YEAR}",
        "period_from": f"{YEAR - 1}-12-15", "period_to": f"{YEAR}-12-14",
        "narrative_results": f"{unit.name} tổ chức tuyên truyền hằng tháng, duy trì mô hình, "
                             "tiếp nhận và hỗ trợ các trường hợp bị bạo lực."}


def _account(username: str, name: str, role: str, unit_code: str) -> User:
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        user = create_user(username=username, display_name=name, role=role,
                           unit_code=unit_code, password=uuid_lib.uuid4().hex,
                           incident_reviewer=role != "officer")
        # Nobody signs in as the demo data: the account only authors and reviews it.
        user.active = False
    return user


def load_demo_records(*, now: datetime) -> tuple[int, int]:
    """Create what is missing and bring each record to its planned state. Returns
    (records stored now, decisions made now)."""
    units = list(db.session.scalars(select(Unit).where(
        Unit.valid_from <= date(YEAR, 12, 31),
        (Unit.valid_to.is_(None)) | (Unit.valid_to >= date(YEAR, 1, 1))).order_by(Unit.path)))
    by_code = {u.code: u for u in units if u.valid_to is None or u.valid_to >= date(YEAR, 9, 1)}
    plan = _plan(units, by_code)
    uuids = [uuid_lib.UUID(item["uuid"]) for item, _ in plan.items]
    have = db.session.scalar(select(func.count()).select_from(Submission).where(
        Submission.uuid.in_(uuids)))
    stored = 0
    author = _account(AUTHOR, "Dữ liệu mẫu (demo)", "admin", "94")
    db.session.flush()
    if have < len(uuids):
        for start in range(0, len(plan.items), 100):
            batch = [item for item, _ in plan.items[start:start + 100]]
            results = apply_sync_batch(batch, user=author, now=now)
            bad = [r for r in results if r["status"] not in ("accepted", "duplicate")]
            if bad:
                raise ValueError(f"demo record refused: {bad[0]}")
            stored += sum(r["status"] == "accepted" for r in results)
    # The plans and reports reached the server on the day they are dated (K14 judges a
    # document by when it arrived): 09:00 in Sóc Trăng.
    arrivals = [{"uuid": uuid_lib.UUID(item["uuid"]), "created_at": datetime.combine(
        date.fromisoformat(item["answers"]["report_date"]), time(2), tzinfo=UTC)}
        for item, _ in plan.items if item["form"] == "report"]
    db.session.execute(update(Submission), arrivals)
    wanted = {uuid_lib.UUID(item["uuid"]) for item, state in plan.items if state == "approved"}
    decisions = 0
    reviewers: dict[int, User] = {}
    open_ones = db.session.scalars(select(Submission).where(
        Submission.uuid.in_(wanted), Submission.status.in_(("submitted", "in_review"))))
    for submission in list(open_ones):
        while submission.status in ("submitted", "in_review"):
            chain = chain_of(submission)
            unit = chain[submission.review_step]
            if unit.id not in reviewers:
                reviewers[unit.id] = _account(f"demo.duyet.{unit.code}",
                                              f"Người duyệt mẫu {unit.name} (demo)",
                                              "supervisor", unit.code)
                db.session.flush()
            submission = decide(submission.uuid, actor=reviewers[unit.id], decision="approve",
                                revision=submission.revision, comment=None,
                                field_comments=None, now=now)
            decisions += 1
    db.session.flush()
    return stored, decisions
