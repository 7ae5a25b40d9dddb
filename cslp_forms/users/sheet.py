"""The printable sheet of one-time sign-in codes: A4, Vietnamese, eight officers a page,
each with her name, unit, username, code and a QR code that opens the app's sign-in with
both filled in (the code rides in the URL fragment, which no server sees)."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

import segno
from markupsafe import escape

from ..services.base.clock import local_today

PER_PAGE = 8


def _day(at: datetime | None) -> str:
    return local_today(at).strftime("%d/%m/%Y") if at else ""


def sign_in_url(origin: str, username: str, code: str) -> str:
    return f"{origin.rstrip('/')}/#/code?u={quote(username)}&c={quote(code)}"


def _card(origin: str, user, code: str) -> str:
    url = sign_in_url(origin, user.username, code)
    qr = segno.make(url, error="m").svg_inline(scale=3, title="QR", svgclass="qr", omitsize=True)
    return (
        '<article class="slip">'
        f'<div class="who"><h2>{escape(user.display_name)}</h2>'
        f'<p class="unit">{escape(user.unit.name)}</p>'
        f'<p>Tên đăng nhập: <b class="mono">{escape(user.username)}</b></p>'
        f'<p>Mã đăng nhập một lần: <b class="mono code">{escape(code)}</b></p>'
        f'<p class="small">Dùng được một lần, đến hết ngày {_day(user.code_expires_at)}.</p>'
        f'</div><div class="qr-box">{qr}</div></article>')


def render_sheet(accounts: list, *, origin: str, issued_by: str) -> str:
    pages = []
    for start in range(0, len(accounts), PER_PAGE):
        cards = "".join(_card(origin, user, code)
                        for user, code in accounts[start:start + PER_PAGE])
        pages.append(f'<section class="page"><header><h1>Sổ CSLP – Mã đăng nhập lần đầu'
                     f'</h1><p>Hội LHPN tỉnh Sóc Trăng · cấp bởi {escape(issued_by)}</p>'
                     f'<ol><li>Trên điện thoại, quét mã QR (hoặc mở {escape(origin)} và '
                     f'nhập tên đăng nhập và mã).</li><li>Chọn mật khẩu của riêng chị: ít '
                     f'nhất 8 ký tự, khó đoán; không ai khác, kể cả quản trị viên, biết '
                     f'mật khẩu này.</li><li>Giữ kín phiếu này; mã chỉ dùng được một lần.'
                     f'</li></ol></header><div class="slips">{cards}</div></section>')
    return ('<!doctype html><html lang="vi"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            '<title>Mã đăng nhập lần đầu – Sổ CSLP</title>'
            f'<link rel="stylesheet" href="{escape(origin.rstrip("/"))}/pwa/css/sheet.css">'
            '</head><body>'
            + "".join(pages) + "</body></html>")
