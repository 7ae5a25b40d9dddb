"""The year-end report as a Word document, in Vietnamese, following the plan's own
sections: the ten items of part II with their figures, the plan's targets against what
was done, and the units that missed the monthly Law Day activity. It is a draft to edit
and sign like the union's own reports: places to complete are marked "……"."""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from ...models import User
from ..base.clock import local_zone
from ..base.periods import make_period
from .indicators import indicators_with_totals

MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FONT = "Times New Roman"

ITEMS = [
    "1. Phối hợp giám sát theo Quyết định số 217-QĐ/TW",
    "2. Phản biện xã hội, góp ý xây dựng Đảng, xây dựng chính quyền (Quyết định số 218-QĐ/TW)",
    "3. Tham mưu, đề xuất chính sách liên quan đến phụ nữ, gia đình, trẻ em, bình đẳng giới",
    "4. Phối hợp thực hiện nhiệm vụ của Ban vì sự tiến bộ của phụ nữ; Ngày 25/11 và Tháng "
    "hành động vì bình đẳng giới",
    "5. Duy trì, nhân rộng và nâng cao chất lượng các mô hình",
    "6. Phát hiện, hỗ trợ phụ nữ, trẻ em gái là nạn nhân bạo lực gia đình, nạn nhân mua bán "
    "người trở về",
    "7. Các hoạt động bảo đảm “An toàn cho phụ nữ và trẻ em”",
    "8. Phổ biến, giáo dục pháp luật; hòa giải ở cơ sở; giải quyết đơn thư, tư vấn pháp luật",
    "9. Tạo nguồn cán bộ nữ; giới thiệu phụ nữ ưu tú cho Đảng xem xét kết nạp",
    "10. Nâng cao chất lượng hoạt động “Ngày Pháp luật nước Cộng hòa xã hội chủ nghĩa Việt Nam”",
]
TODO = "……"


def num(value) -> str:
    """Vietnamese number style (1.234; 66,7); hidden counts stay as they are ("<5")."""
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    return f"{int(value):,}".replace(",", ".")


def union_name(unit: dict, *, heading: bool = True) -> str:
    """HỘI LHPN TỈNH SÓC TRĂNG for the letterhead; Hội LHPN tỉnh Sóc Trăng in a sentence."""
    if heading:
        return f"HỘI LHPN {unit['name'].upper()}"
    return f"Hội LHPN {unit['name'][:1].lower()}{unit['name'][1:]}"


def _style(document: Document) -> None:
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(13)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    for name in ("Heading 1", "Heading 2", "Title"):
        style = document.styles[name]
        style.font.name = FONT
        style.font.color.rgb = None
        fonts = style.element.rPr.rFonts
        for attribute in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
            fonts.attrib.pop(qn(f"w:{attribute}"), None)  # the theme's font would win
        for attribute in ("ascii", "hAnsi", "eastAsia", "cs"):
            fonts.set(qn(f"w:{attribute}"), FONT)
    document.styles["Heading 1"].font.size = Pt(13)
    document.styles["Heading 2"].font.size = Pt(13)
    for section in document.sections:
        section.left_margin = Pt(85)   # 3 cm, as ND 30/2020 lays out official documents
        section.right_margin = Pt(57)  # 2 cm
        section.top_margin = section.bottom_margin = Pt(57)


def _centered(cell_or_doc, text: str, *, bold=False, italic=False, size=None):
    paragraph = cell_or_doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(text)
    run.bold, run.italic = bold, italic
    if size:
        run.font.size = Pt(size)
    return paragraph


def _letterhead(document, unit: dict, year: int, place: str) -> None:
    table = document.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = table.rows[0].cells
    left.paragraphs[0].text = ""
    right.paragraphs[0].text = ""
    _centered(left, union_name(unit), bold=False)
    _centered(left, "BAN THƯỜNG VỤ", bold=True)
    _centered(left, f"Số: {TODO}/BC-HPN", size=12)
    _centered(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=12)
    _centered(right, "Độc lập - Tự do - Hạnh phúc", bold=True)
    _centered(right, f"{place}, ngày {TODO} tháng {TODO} năm {year}", italic=True)


def _para(document, text: str, *, bold_lead: str | None = None):
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.first_line_indent = Pt(28)
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    if bold_lead:
        paragraph.add_run(bold_lead).bold = True
    paragraph.add_run(text)
    return paragraph


def _table(document, header: list[str], rows: list[list[str]], widths: list[float]):
    """A bordered table; `widths` in centimetres, one per column."""
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.autofit = False
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(text).bold = True
    for values in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            cell.text = text
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)  # the grid: LibreOffice reads widths from here
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Cm(width)
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(11)
    return table


@dataclass
class Figures:
    """The year's indicators, as the dashboard shows them, and the counters behind them."""

    data: dict
    totals: Counter
    include_pending: bool

    @property
    def unit(self) -> dict:
        return self.data["unit"]

    @cached_property
    def ind(self) -> dict[str, dict]:
        return {i["code"]: i for i in self.data["indicators"]}

    @cached_property
    def part(self) -> dict[str, dict]:
        return {code: {p["key"]: p["value"] for p in i["parts"]} for code, i in self.ind.items()}

    def progress(self, code: str) -> str:
        """", đạt 66,7% chỉ tiêu (12)", or nothing without a target."""
        i = self.ind[code]
        if i["target"] is None or i["progress"] is None:
            return ""
        return f", đạt {num(i['progress'])}% chỉ tiêu ({num(i['target'])})"


def year_end_document(*, viewer: User, unit_code: str | None, year: int,
                      include_pending: bool, today: date, now: datetime) -> tuple[bytes, str]:
    """The .docx bytes and a file name. Figures: the union's year (15/12 to 14/12)."""
    data, totals = indicators_with_totals(
        viewer=viewer, unit_code=unit_code, year=year, period_key=None, union_cutoff=True,
        include_pending=include_pending, today=today, now=now)
    figures = Figures(data, totals, include_pending)
    document = Document()
    _style(document)
    _opening(document, figures, year, now)
    document.add_heading("I. KẾT QUẢ THỰC HIỆN CÁC NỘI DUNG CỦA KẾ HOẠCH", level=1)
    for heading, sentences in zip(ITEMS, ITEM_TEXTS, strict=True):
        document.add_heading(heading, level=2)
        for text in sentences(figures):
            _para(document, text)
    _targets(document, figures)
    _law_day_units(document, figures.data["law_day"])
    _closing(document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue(), f"bao_cao_cslp_{year}_{figures.unit['code']}.docx"


def _opening(document, figures: Figures, year: int, now: datetime) -> None:
    """The letterhead, the title and what the figures are."""
    unit = figures.unit
    period = make_period(year, None, union_cutoff=True)
    _letterhead(document, unit, year, "Sóc Trăng")
    _centered(document, "BÁO CÁO", bold=True, size=14)
    _centered(document, f"Kết quả thực hiện công tác Chính sách – Luật pháp năm {year}",
              bold=True)
    _centered(document, "(dự thảo do Sổ CSLP lập, để đơn vị bổ sung, chỉnh sửa và ký)",
              italic=True, size=12)
    states = "đã duyệt và đang chờ duyệt" if figures.include_pending else "đã được duyệt"
    local = now.astimezone(local_zone())  # the time she reads on her own clock
    if unit["level"] == "province":
        _para(document, f"Ban Thường vụ {union_name(unit, heading=False)} báo cáo kết quả thực "
                        f"hiện Kế hoạch công tác Chính sách – Luật pháp năm {year} như sau:")
    else:
        _para(document, f"Thực hiện Kế hoạch công tác Chính sách – Luật pháp năm {year} của "
                        f"Ban Thường vụ Hội LHPN tỉnh Sóc Trăng, Ban Thường vụ "
                        f"{union_name(unit, heading=False)} báo cáo kết quả thực hiện như sau:")
    _para(document, f"Số liệu tổng hợp từ các phiếu {states} trên Sổ CSLP của {unit['name']} "
                    f"và các đơn vị trực thuộc, từ ngày {period.start:%d/%m/%Y} đến ngày "
                    f"{period.end:%d/%m/%Y}; lập lúc {local:%H:%M} ngày {local:%d/%m/%Y}. "
                    "Số liệu vụ việc chỉ tính các trường hợp đồng ý đưa vào số liệu tổng hợp; "
                    "số dưới 5 của đơn vị khác được ghi “<5” để bảo vệ người bị hại.")


def _targets(document, figures: Figures) -> None:
    """Part II: each indicator's target against what was done."""
    document.add_heading("II. CHỈ TIÊU KẾ HOẠCH VÀ KẾT QUẢ THỰC HIỆN", level=1)
    rows = []
    for n, (code, i) in enumerate(figures.ind.items(), 1):
        percent = i["target_basis"] == "percent"
        target = f"{num(i['target'])}%" if percent and i["target"] is not None \
            else num(i["target"])
        if percent and isinstance(i["actual"], int | float):
            actual = f"{num(i['actual'])}%"
        else:
            actual = num(i["actual"]) if i.get("available", True) else "Chưa có số liệu"
        rows.append([str(n), f"{code}. {i['label']}", target, actual,
                     f"{num(i['progress'])}%" if i.get("progress") is not None else "–",
                     i.get("target_source") or ("Chưa có số liệu trong Sổ CSLP"
                                                 if i.get("available") is False else "")])
    _table(document, ["STT", "Chỉ tiêu", "Kế hoạch", "Thực hiện", "Tỷ lệ", "Ghi chú"], rows,
           [1.4, 5.9, 2.0, 2.2, 1.8, 3.2])


def _law_day_units(document, law: dict | None) -> None:
    """Part III: the units that missed the monthly Law Day activity, and in which months."""
    document.add_heading("III. ĐƠN VỊ CHƯA ĐẠT YÊU CẦU HOẠT ĐỘNG HƯỞNG ỨNG NGÀY PHÁP LUẬT "
                         "HẰNG THÁNG", level=1)
    if law is None:
        _para(document, "Chưa đặt chỉ tiêu hoạt động hằng tháng cho năm này.")
    elif not law["missed"]:
        _para(document, "Tất cả các đơn vị đều có ít nhất một hoạt động mỗi tháng.")
    else:
        _para(document, f"{len(law['missed'])}/{law['units']} đơn vị chưa có hoạt động "
                        "hưởng ứng Ngày Pháp luật trong ít nhất một tháng:")
        _table(document, ["STT", "Đơn vị", "Trực thuộc", "Các tháng chưa có hoạt động"],
               [[str(n), m["unit"]["name"], m["parent"] or "",
                 ", ".join(f"{int(x[5:])}/{x[:4]}" for x in m["months"])]
                for n, m in enumerate(law["missed"], 1)], [1.4, 4.4, 4.3, 6.4])


def _closing(document) -> None:
    """Part IV to complete by hand, where it goes, and the signature."""
    document.add_heading("IV. KHÓ KHĂN, HẠN CHẾ VÀ ĐỀ XUẤT, KIẾN NGHỊ", level=1)
    for lead in ("Khó khăn, hạn chế: ", "Nguyên nhân: ", "Đề xuất, kiến nghị: "):
        _para(document, TODO, bold_lead=lead)
    signature = document.add_table(rows=1, cols=2)
    left, right = signature.rows[0].cells
    left.paragraphs[0].add_run("Nơi nhận:").bold = True
    for line in ("- Ban CSPL - TW Hội LHPN VN;", "- TT tỉnh Hội;", "- Lưu: VT, Ban TG-CSLP."):
        left.add_paragraph(line)
    right.paragraphs[0].text = ""
    _centered(right, "TM. BAN THƯỜNG VỤ", bold=True)
    _centered(right, "PHÓ CHỦ TỊCH", bold=True)
    _centered(right, "(Ký, ghi rõ họ tên)", italic=True)


# --- the sentences of part I, one function per plan item (ITEMS, in order) -----------

def _supervision(f: Figures) -> list[str]:
    p = f.part["K03"]
    lines = [f"Tổ chức {num(p['sessions'])} cuộc giám sát (chủ trì {num(p['lead'])}, "
             f"phối hợp {num(p['cooperate'])}); nêu {num(p['recommendations'])} kiến "
             f"nghị, {num(p['accepted'])} kiến nghị được tiếp thu, giải quyết."]
    places = f.ind["K03"].get("places") or []
    if places:
        lines.append(f"Đã giám sát {num(f.ind['K03']['actual'])}/{len(places)} địa bàn theo "
                     f"kế hoạch{f.progress('K03')}: " + "; ".join(
            f"{p['name']} ({p['code']}): "
            + ("đã giám sát" if p["done"] else "chờ duyệt" if p["pending"] else "chưa có")
            for p in places) + ".")
    return lines


def _social_criticism(f: Figures) -> list[str]:
    return [f"Tổ chức {num(f.ind['K04']['actual'])} hội nghị phản biện xã hội"
            f"{f.progress('K04')}; góp ý {num(f.part['K04']['documents'])} dự thảo văn bản "
            "của cấp ủy, chính quyền."]


def _policy(f: Figures) -> list[str]:
    return [f"Tham gia {num(f.totals['policy_dialogues'])} cuộc đối thoại chính "
            f"sách; qua giám sát, phản biện, góp ý đã nêu "
            f"{num(f.totals['policy_recommendations'])} kiến nghị, đề xuất, trong đó "
            f"{num(f.totals['policy_accepted'])} được tiếp thu. Các đề xuất chính "
            f"sách, chương trình, đề án cụ thể: {TODO}"]


def _gender_equality_month(f: Figures) -> list[str]:
    return [f"Tổ chức {num(f.ind['K13']['actual'])} hoạt động hưởng ứng Tháng hành động vì "
            f"bình đẳng giới và phòng ngừa, ứng phó với bạo lực trên cơ sở giới, Ngày "
            f"25/11, thu hút {num(f.part['K13']['people'])} lượt người tham dự."]


def _models(f: Figures) -> list[str]:
    by_type = f.ind["K05"].get("by_type") or []
    text = (f"Hiện có {num(f.ind['K05']['actual'])} mô hình, tổ, câu lạc bộ đang hoạt động "
            f"với {num(f.part['K05']['members'])} thành viên")
    if by_type:
        text += ", gồm: " + "; ".join(f"{t['label']}: {num(t['value'])}" for t in by_type)
    return [text + "."]


def _survivors(f: Figures) -> list[str]:
    lines = []
    for code, who in (("K08", "phụ nữ, trẻ em gái bị bạo lực gia đình"),
                      ("K09", "nạn nhân mua bán người trở về")):
        p = f.part[code]
        share = f.ind[code]["actual"]
        lines.append(f"Phát hiện, hỗ trợ {num(p['cases'])} {who}; {num(p['reached'])} "
                     f"người đã tiếp cận ít nhất một dịch vụ trợ giúp xã hội"
                     + (f" ({num(share)}%, chỉ tiêu {num(f.ind[code]['target'])}%)."
                        if isinstance(share, int | float) else "."))
    return lines


def _children(f: Figures) -> list[str]:
    p6 = f.part["K06"]
    return [f"Hỗ trợ {num(f.part['K10']['cases'])} trẻ em bị xâm hại theo Nghị định "
            "56/2017/NĐ-CP.",
            f"Ra mắt {num(f.ind['K06']['actual'])} Tổ phản ứng nhanh phòng, chống xâm hại "
            f"trẻ em{f.progress('K06')}; {num(p6['teams_trained'])} tổ đã được tập huấn "
            f"TOT; tổ chức {num(p6['tot_classes'])} lớp TOT với "
            f"{num(p6['tot_people'])} lượt người.",
            f"Tổ chức {num(f.ind['K07']['actual'])} hội nghị nhân rộng mô hình phòng ngừa bạo "
            f"lực trên cơ sở giới{f.progress('K07')}, {num(f.part['K07']['people'])} lượt "
            "người tham dự."]


def _legal_education(f: Figures) -> list[str]:
    p1, p11, p12 = f.part["K01"], f.part["K11"], f.part["K12"]
    return [f"Tổ chức {num(p1['sessions'])} cuộc tuyên truyền, phổ biến, giáo dục pháp "
            f"luật với {num(p1['people'])} lượt người (nữ {num(p1['female'])}, nam "
            f"{num(p1['male'])}, người dân tộc thiểu số {num(p1['minority'])}).",
            f"Tiếp nhận {num(p11['received'])} đơn thư; Hội giải quyết "
            f"{num(p11['handled'])}, chuyển cơ quan chức năng {num(p11['referred'])}, "
            f"hướng dẫn {num(p11['guided'])}.",
            f"Tư vấn pháp luật {num(f.ind['K12']['actual'])} lượt; tham gia hòa giải "
            f"{num(p12['mediations'])} vụ, hòa giải thành {num(p12['mediations_success'])}"
            " vụ."]


def _women_cadres(f: Figures) -> list[str]:
    return [f"Sổ CSLP chưa ghi nhận nội dung này. Số cán bộ nữ trẻ được giới thiệu quy "
            f"hoạch: {TODO}; số phụ nữ ưu tú được giới thiệu cho Đảng: {TODO}."]


def _law_day(f: Figures) -> list[str]:
    k02 = f.ind["K02"]
    law = f.data["law_day"]
    text = (f"Tổ chức {num(f.part['K02']['activities'])} hoạt động hưởng ứng Ngày Pháp luật "
            "(9/11).")
    if law:
        text += (f" Yêu cầu mỗi đơn vị ít nhất {law['per_unit_month']} hoạt động mỗi tháng: "
                 f"đạt {num(k02['actual'])}/{num(k02['target'])} lượt đơn vị-tháng"
                 + (f" ({num(k02['progress'])}%)" if k02["progress"] is not None else "")
                 + f"; {len(law['missed'])} đơn vị còn thiếu (xem mục III).")
    return [text]


ITEM_TEXTS = (_supervision, _social_criticism, _policy, _gender_equality_month, _models,
              _survivors, _children, _legal_education, _women_cadres, _law_day)
