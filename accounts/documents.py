"""Documents of the register: the 备案登记表 of one account (printable page and PDF laid out like qingdao
附件1) and the account register of a region as xlsx (the list offices send upward)."""
from __future__ import annotations

import glob
import io
import os
from pathlib import Path

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone

from accounts import filings as form_rules
from accounts.models import AccountStatus, Filing, FilingKind, FilingStatus

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Debian/Ubuntu packages first (CI installs fonts-wqy-microhei), then other common places.
FONT_CANDIDATES = [
    # Shipped with the project (WenQuanYi Micro Hei, Apache-2.0 or GPLv3), so PDFs work on any machine.
    str(Path(__file__).resolve().parent.parent / "govmedia" / "core" / "fonts" / "wqy-microhei.ttc"),
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "C:/Windows/Fonts/msyh.ttc",
    "C:/Windows/Fonts/simsun.ttc",
]
FONT_GLOBS = ["/usr/share/fonts/**/*wqy*.tt[cf]", "/usr/share/fonts/**/*[Hh]ei*.tt[cf]", "/usr/share/fonts/**/*CJK*.tt[cf]"]


class CJKFontMissing(RuntimeError):
    pass


def find_cjk_font() -> str:
    """A font with Chinese glyphs: GOVMEDIA_CJK_FONT (setting or environment) if given, else a known system font."""
    configured = getattr(settings, "GOVMEDIA_CJK_FONT", "") or os.environ.get("GOVMEDIA_CJK_FONT", "")
    if configured:
        if os.path.isfile(configured):
            return configured
        raise CJKFontMissing(f"GOVMEDIA_CJK_FONT 指向的字体文件不存在：{configured}")
    for path in FONT_CANDIDATES:
        if os.path.isfile(path):
            return path
    for pattern in FONT_GLOBS:
        found = sorted(glob.glob(pattern, recursive=True))
        if found:
            return found[0]
    raise CJKFontMissing(
        "服务器未安装中文字体，无法生成 PDF：请安装 fonts-wqy-microhei（或 fonts-noto-cjk），"
        "或设置 GOVMEDIA_CJK_FONT 指向一个 TTF/TTC 字体文件。"
    )


def latest_filing(account) -> Filing | None:
    """The filing whose reason and opinions the form shows: the newest decided or pending one."""
    return (
        account.filings.exclude(status=FilingStatus.DRAFT)
        .select_related("owner_approved_by", "supervisor_approved_by")
        .order_by("-submitted_at", "-pk")
        .first()
    )


def form_context(account) -> dict:
    """Everything the printed form shows, in the official order, for the HTML page and the PDF alike."""
    filing = latest_filing(account)
    data = form_rules.from_account(account)
    menu_rows = form_rules.rows_from_menus(data["menus"])
    status_marks = {
        "正常": account.status in (AccountStatus.RUNNING, AccountStatus.APPLYING),
        "关停": account.status == AccountStatus.CLOSING,
        "注销": account.status == AccountStatus.DEREGISTERED,
    }
    return {
        "account": account,
        "filing": filing,
        "unit": account.owner.name,
        "filled_on": timezone.localdate(),
        "platform": account.get_platform_display() + (
            f"（{form_rules.ACCOUNT_TYPE_LABELS.get(account.account_type, account.account_type)}）" if account.account_type else ""
        ),
        "id_and_name": f"{account.platform_id} / {account.name}" if account.platform_id else account.name,
        "menu_rows": menu_rows,
        "team": data["team"],
        "status_marks": status_marks,
        "kind_label": filing.get_kind_display() if filing else "",
    }


def _mark(value: bool) -> str:
    # ■/□ are in GB2312 and so in every CJK font; ☑/☐ are not (WenQuanYi has neither), and fpdf2 silently
    # drops a glyph the font lacks, which left the printed 是/否 and 运行状态 without any mark.
    return "■" if value else "□"


def _yes_no(value: bool) -> str:
    return f"{_mark(value)}是  {_mark(not value)}否"


def _leader(name, title) -> str:
    return " ".join(part for part in (name, title) if part)


def render_pdf(account) -> bytes:
    """The 备案登记表 as PDF (A4), with CJK text embedded from a system font."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    font_path = find_cjk_font()
    ctx = form_context(account)
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=15)
    pdf.set_title(f"政务新媒体备案登记表 {account.name}")
    pdf.add_font("cjk", fname=font_path)
    pdf.add_page()
    pdf.set_font("cjk", size=16)
    pdf.cell(0, 10, "政务新媒体备案登记表", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=9.5)
    pdf.cell(0, 7, f"单位名称（盖章）：{ctx['unit']}", new_x="LMARGIN", new_y="NEXT")
    filled = ctx["filled_on"]
    pdf.cell(0, 6, f"填表时间：{filled.year}年{filled.month}月{filled.day}日", align="R", new_x="LMARGIN", new_y="NEXT")
    head = FontFace(fill_color=(242, 242, 242))
    a = account

    def table(widths, rows, header_cols=(0, 2)):
        with pdf.table(col_widths=widths, text_align="LEFT", line_height=6, first_row_as_headings=False,
                       padding=1.2) as t:
            for values in rows:
                row = t.row()
                for index, value in enumerate(values):
                    if isinstance(value, tuple):  # (text, colspan)
                        row.cell(value[0], colspan=value[1], style=head if index in header_cols else None)
                    else:
                        row.cell(value, style=head if index in header_cols else None)

    table((30, 60, 38, 62), [
        ("账号ID及名称", ctx["id_and_name"], "创建/注册日期", str(a.registered_on or "")),
        ("发布平台（系统）", ctx["platform"], "是否通过认证", _yes_no(a.verified)),
        ("主管单位", a.supervisor.name if a.supervisor else "", "是否取得互联网新闻信息服务资质", _yes_no(a.news_licence)),
        ("主管单位分管领导及职务", _leader(a.supervisor_leader, a.supervisor_leader_title), "联系电话及方式", a.supervisor_contact),
        ("主办单位", a.owner.name, "主办单位分管领导及职务", _leader(a.owner_leader, a.owner_leader_title)),
        ("", "", "联系电话及方式", a.owner_contact),
        ("承办单位", a.operator.name if a.operator else "", "承办单位分管领导及职务", _leader(a.operator_leader, a.operator_leader_title)),
        ("", "", "联系电话及方式", a.operator_contact),
        ("政务新媒体平台功能", (a.functions, 3)),
        ("基本情况介绍", (a.introduction, 3)),
        ("访问链接", (a.url, 3)),
    ])
    if a.qr_code:
        try:
            y = pdf.get_y() + 2
            pdf.set_font("cjk", size=9.5)
            pdf.cell(30, 6, "新媒体二维码：", new_x="RIGHT", new_y="TOP")
            pdf.image(a.qr_code.path, x=pdf.l_margin + 32, y=y, w=28, h=28)
            pdf.set_y(y + 30)
        except (OSError, ValueError):
            pdf.cell(0, 6, "（二维码图片无法读取）", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.cell(0, 6, "栏目设置（注：政务微信请注明公众号类型：服务号、订阅号或小程序）", new_x="LMARGIN", new_y="NEXT")
    menu_rows = [("名称", "一级菜单", "二级菜单", "三级菜单", "备注")]
    for row in ctx["menu_rows"]:
        cells = ["", "", ""]
        cells[row["level"] - 1] = row["name"]
        menu_rows.append((a.name if len(menu_rows) == 1 else "", *cells, row["note"]))
    if len(menu_rows) == 1:
        menu_rows.append(("", "", "", "", ""))
    table((38, 38, 38, 38, 38), menu_rows, header_cols=())
    pdf.ln(2)
    pdf.cell(0, 6, "管理队伍（主要成员）", new_x="LMARGIN", new_y="NEXT")
    team_rows = [("管理员姓名", "所在单位及职务", "办公电话", "手机号码")]
    team_rows += [(m["name"], m["unit_title"], m["office_phone"], m["mobile"]) for m in ctx["team"]] or [("", "", "", "")]
    table((34, 76, 40, 40), team_rows, header_cols=())
    pdf.ln(2)
    filing = ctx["filing"]
    owner_sign = supervisor_sign = ""
    if filing and filing.owner_approved_by:
        at = timezone.localtime(filing.owner_approved_at)
        owner_sign = f"\n主要负责人签字：{filing.owner_approved_by}    {at.year}年{at.month}月{at.day}日"
    if filing and filing.supervisor_approved_by and filing.decided_at:
        at = timezone.localtime(filing.decided_at)
        supervisor_sign = f"\n负责人签字：{filing.supervisor_approved_by}    {at.year}年{at.month}月{at.day}日"
    marks = "  ".join(f"{_mark(v)}{k}" for k, v in ctx["status_marks"].items())
    references = ""
    if filing and (filing.city_reference or filing.province_reference or filing.national_reference or a.national_reference):
        references = "；".join(part for part in (
            f"市级：{filing.city_reference}" if filing.city_reference else "",
            f"省级：{filing.province_reference}" if filing.province_reference else "",
            f"全国报送系统：{filing.national_reference or a.national_reference}" if (filing.national_reference or a.national_reference) else "",
        ) if part)
    rows = [
        ("开办（变更、关停）理由", ((filing.reason if filing else ""), 3)),
        ("主办单位意见", (((filing.owner_opinion if filing else "") + owner_sign), 3)),
        ("主管单位意见", (((filing.supervisor_opinion if filing else "") + supervisor_sign), 3)),
        ("正式运营时间", str(a.operation_started_on or ""), "关注量/粉丝量", "" if a.followers is None else str(a.followers)),
        ("运行状态", (marks, 3)),
    ]
    if references:
        rows.append(("上级审批/报送编号", (references, 3)))
    table((30, 60, 38, 62), rows)
    pdf.ln(2)
    pdf.set_font("cjk", size=8.5)
    pdf.multi_cell(0, 5, "注：1.此纸质备案表一式二份，主管单位、主办单位承办单位各留备案。\n"
                         "账号ID及名称、管理队伍人员或维护方式发生变更，应在7个工作日内以书面形式报主管单位备案。")
    return bytes(pdf.output())


def pdf_response(account) -> HttpResponse:
    try:
        content = render_pdf(account)
    except CJKFontMissing as exc:
        return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="account-{account.pk}-form.pdf"'
    return response


REGISTER_COLUMNS = [
    ("序号", 6), ("账号名称", 24), ("发布平台", 10), ("账号类型", 10), ("账号ID", 18), ("主办单位", 24),
    ("主管单位", 22), ("承办单位", 22), ("是否认证", 8), ("新闻信息服务资质", 10), ("创建/注册日期", 12),
    ("正式运营时间", 12), ("关注量/粉丝量", 10), ("运行状态", 10), ("最近更新", 12), ("访问链接", 30),
    ("管理员", 16), ("管理员手机", 14), ("全国报送系统编号", 18),
]


def register_xlsx(queryset) -> bytes:
    """The register as a spreadsheet: one row per account, current management team joined into one cell."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "政务新媒体台账"
    ws.append(["政务新媒体账号备案台账"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([f"导出日期：{timezone.localdate():%Y-%m-%d}"])
    ws.append([name for name, _ in REGISTER_COLUMNS])
    for index, (_, width) in enumerate(REGISTER_COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
        ws.cell(row=3, column=index).font = Font(bold=True)
        ws.cell(row=3, column=index).alignment = Alignment(wrap_text=True, vertical="center")
    accounts = queryset.select_related("owner", "supervisor", "operator").prefetch_related("team")
    for number, a in enumerate(accounts.iterator(chunk_size=500), start=1):
        team = [m for m in a.team.all() if m.left_on is None]
        ws.append([
            number, a.name, a.get_platform_display(), form_rules.ACCOUNT_TYPE_LABELS.get(a.account_type, a.account_type),
            a.platform_id, a.owner.name, a.supervisor.name if a.supervisor else "", a.operator.name if a.operator else "",
            "是" if a.verified else "否", "是" if a.news_licence else "否", a.registered_on, a.operation_started_on,
            a.followers, a.get_status_display(), a.last_updated_on, a.url, "、".join(m.name for m in team),
            "、".join(m.mobile for m in team if m.mobile), a.national_reference,
        ])
    for row in ws.iter_rows(min_row=4):
        for cell in row:
            if hasattr(cell.value, "year"):
                cell.number_format = "yyyy-mm-dd"
    ws.freeze_panes = "B4"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


__all__ = ["render_pdf", "register_xlsx", "form_context", "find_cjk_font", "CJKFontMissing", "FilingKind"]
