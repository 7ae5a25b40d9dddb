"""Builders for sync items as a phone would send them."""

import hashlib
import uuid as uuid_lib

JPEG = b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF" + bytes(range(256)) * 4
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)


def activity(**answers):
    base = {
        "start_date": "2024-11-09",
        "activity_type": "pbgdpl",
        "program_source": ["thuong_xuyen"],
        "laws_covered": ["luat_pcblgd_2022"],
        "title_content": "Tuyên truyền Luật Phòng, chống bạo lực gia đình tại ấp Phước Hòa",
        "participants_total": 45,
        "participants_female": 38,
        "participants_male": 7,
    }
    return {**base, **answers}


def item(answers=None, *, uuid=None, unit="31630", form="activity", version=1,
         base_revision=None, attachments=None):
    return {
        "uuid": uuid or str(uuid_lib.uuid4()),
        "form": form,
        "version": version,
        "unit": unit,
        "base_revision": base_revision,
        "answers": activity() if answers is None else answers,
        "attachments": attachments or [],
    }


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def report(kind="ke_hoach_nam", **answers):
    """A unit's yearly plan (or, with kind="bao_cao_nam", its year-end report)."""
    base = {"report_type": kind, "report_year": 2024, "report_date": "2024-03-20",
            "document_number": "05/KH-HPN",
            "title_content": "Kế hoạch công tác Chính sách – Luật pháp năm 2024"}
    if kind != "ke_hoach_nam":
        base |= {"period_from": "2023-12-15", "period_to": "2024-12-14",
                 "narrative_results": "Tổ chức 12 buổi tuyên truyền, duy trì 3 mô hình."}
    return {**base, **answers}
