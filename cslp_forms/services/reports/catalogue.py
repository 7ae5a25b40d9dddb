"""The plan's indicators K01–K14 (FORMS.md §5): code, Vietnamese and English label, how a
target for it is read, the plan item it reports on, whether it counts survivors
(incident records: consent and small-cell rules apply), and which of the dashboard's
counters (services/reports/indicators.py) it shows."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str
    label_en: str
    bases: tuple[str, ...]
    item: str
    incident: bool = False
    # The dashboard's counters it shows, named without the code's prefix ("people" is
    # k01_people for K01): its figure, its parts, and its columns per unit beside the figure.
    actual: str | None = None
    parts: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()

    def counter(self, name: str) -> str:
        return f"{self.code.lower()}_{name}"


_ALL = [
    Indicator("K01", "Tuyên truyền, phổ biến, giáo dục pháp luật: số cuộc; lượt người",
              "Legal education sessions; attendance", ("count",), "II.8",
              actual="sessions",
              parts=("sessions", "people", "female", "male", "minority"),
              columns=("people",)),
    Indicator("K02", "Hoạt động hưởng ứng Ngày Pháp luật (mỗi đơn vị ít nhất 1 hoạt động/tháng)",
              "Law Day activities (at least one per unit per month)",
              ("per_unit_month", "count"), "II.10",
              actual="activities",
              parts=("activities", "people")),
    Indicator("K03", "Giám sát (chủ trì/phối hợp); kiến nghị; kiến nghị được tiếp thu",
              "Supervision sessions; recommendations; accepted", ("count",), "II.1",
              actual="sessions",
              parts=("sessions", "lead", "cooperate", "recommendations", "accepted")),
    Indicator("K04", "Hội nghị phản biện xã hội; văn bản góp ý",
              "Social-criticism conferences; documents commented", ("count",), "II.2",
              actual="sessions",
              parts=("sessions", "documents"),
              columns=("documents",)),
    Indicator("K05", "Mô hình, Tổ, CLB đang hoạt động; thành viên",
              "Active models, teams and clubs; members", ("count",), "II.5",
              actual="models",
              parts=("members", "met", "meetings"),
              columns=("members",)),
    Indicator("K06", "Tổ phản ứng nhanh phòng, chống xâm hại trẻ em ra mắt; lớp TOT",
              "Rapid response teams against child abuse launched; TOT classes",
              ("count",), "II.7",
              actual="teams",
              parts=("teams_trained", "tot_classes", "tot_people")),
    Indicator("K07", "Hội nghị nhân rộng mô hình phòng ngừa bạo lực trên cơ sở giới",
              "Conferences replicating GBV-prevention models", ("count",), "II.7",
              actual="sessions",
              parts=("people",)),
    Indicator("K08", "Phụ nữ, trẻ em gái bị bạo lực gia đình được phát hiện; % tiếp cận "
              "≥1 dịch vụ", "Women and girls surviving domestic violence; % reaching ≥1 "
              "service", ("percent",), "II.6", incident=True),
    Indicator("K09", "Nạn nhân mua bán người trở về được phát hiện; % tiếp cận ≥1 dịch vụ",
              "Returned trafficking survivors; % reaching ≥1 service", ("percent",), "II.6",
              incident=True),
    Indicator("K10", "Trẻ em bị xâm hại được hỗ trợ (NĐ 56/2017/NĐ-CP)",
              "Abused children supported (Decree 56/2017)", ("count",), "II.7", incident=True),
    Indicator("K11", "Đơn thư: tiếp nhận / Hội giải quyết / chuyển / hướng dẫn",
              "Petitions: received / resolved / referred / guided", ("count",), "II.8",
              actual="received",
              parts=("received", "handled", "referred", "guided")),
    Indicator("K12", "Tư vấn pháp luật (lượt); hòa giải (vụ, thành)",
              "Legal advice (consultations); mediation (cases, successful)", ("count",),
              "II.8",
              actual="consultations",
              parts=("advice_sessions", "mediations", "mediations_success"),
              columns=("mediations",)),
    Indicator("K13", "Hoạt động Tháng hành động vì bình đẳng giới và Ngày 25/11; lượt người",
              "Gender-equality Action Month and 25 November activities; attendance",
              ("count",), "II.4",
              actual="sessions",
              parts=("people",)),
    Indicator("K14", "Kế hoạch gửi đúng hạn (quý I); báo cáo năm đúng hạn",
              "Plans sent on time (Q1); year-end reports on time", ("percent",), "III.2"),
]

CATALOGUE: dict[str, Indicator] = {i.code: i for i in _ALL}
