"""Documents of the register: the 备案登记表 of one account (printable page and PDF laid out like qingdao
附件1) and the account register of a region as xlsx (the list offices send upward)."""
from __future__ import annotations

import io
from dataclasses import dataclass

from django.utils import timezone

from accounts import filings as form_rules
from accounts.filings import BOOL, COUNT, DATE, IMAGE, LEFT, RIGHT, WIDE
from accounts.models import AccountStatus, Filing, FilingStatus
from govmedia.core import documents
from govmedia.core.documents import PdfCell

def latest_filing(account) -> Filing | None:
    """The filing whose reason and opinions the form shows: the newest decided or pending one."""
    return (
        account.filings.exclude(status=FilingStatus.DRAFT)
        .select_related("owner_approved_by", "supervisor_approved_by")
        .order_by("-submitted_at", "-pk")
        .first()
    )


@dataclass
class PrintedCell:
    """A heading and its value on the printed form. `kind` says how the value is drawn: "text", "bool" (a
    是/否 pair of boxes) or "image" (`value` is the file)."""

    header: str
    text: str = ""
    kind: str = "text"
    value: object = None
    colspan: int = 1
    rowspan: int = 1
    whole: bool = False  # a unit's name: kept on one line (smaller type) rather than broken


def printed_rows(account, block: str) -> list[list[PrintedCell]]:
    """The declared fields of one table of the printed form (filings.TOP or BOTTOM), row by row, each row a left
    and a right cell or one wide cell, placed where each field's `Printed` says."""
    places: dict[tuple[int, str], list[form_rules.FormField]] = {}
    for field in form_rules.FIELDS:
        if field.printed.block == block:
            places.setdefault((field.printed.row, field.printed.side), []).append(field)
    rows: list[list[PrintedCell]] = []
    spanning = None  # the left cell that grows down over rows without a left cell of their own
    for number in sorted({row for row, _ in places}):
        if (number, WIDE) in places:
            rows.append([_printed_cell(account, places[number, WIDE], colspan=3)])
            spanning = None
            continue
        row = []
        if (number, LEFT) in places:
            spanning = _printed_cell(account, places[number, LEFT])
            row.append(spanning)
        elif spanning is not None:
            spanning.rowspan += 1
        else:
            row.append(PrintedCell(""))
        row.append(_printed_cell(account, places[number, RIGHT]) if (number, RIGHT) in places else PrintedCell(""))
        rows.append(row)
    return rows


def _printed_cell(account, fields, colspan: int = 1) -> PrintedCell:
    fields = sorted(fields, key=lambda field: field.printed.order)
    header = next((field.printed.header for field in fields if field.printed.header), fields[0].label)
    first = fields[0]
    if first.kind == BOOL:
        return PrintedCell(header, kind="bool", value=bool(getattr(account, first.name)), colspan=colspan)
    if first.kind == IMAGE:
        return PrintedCell(header, kind="image", value=getattr(account, first.name) or None, colspan=colspan)
    parts = [(field, form_rules.display(field, getattr(account, field.name))) for field in fields]
    text = "".join(field.printed.template.format(shown) for field, shown in parts if shown)
    return PrintedCell(header, text=text.strip(), colspan=colspan, whole=first.kind == form_rules.UNIT)


def form_context(account) -> dict:
    """Everything the printed form shows, in the official order, for the HTML page and the PDF alike."""
    filing = latest_filing(account)
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
        "top_rows": printed_rows(account, form_rules.TOP),
        "bottom_rows": printed_rows(account, form_rules.BOTTOM),
        "menu_rows": form_rules.rows_from_menus(form_rules.menu_tree(account)),
        "team": [
            {"name": m.name, "unit_title": m.unit_title, "office_phone": m.office_phone, "mobile": m.mobile}
            for m in account.team.filter(left_on__isnull=True).order_by("position", "pk")
        ],
        "status_marks": status_marks,
        "kind_label": filing.get_kind_display() if filing else "",
    }


# The printed form's four columns (mm on A4 portrait): heading, value, heading, value; the headings wide enough
# for "主管单位分管领导及职务" on one line.
FORM_WIDTHS = (40, 55, 40, 55)


def _mark(value: bool) -> str:
    # ■/□ are in GB2312 and so in every CJK font; ☑/☐ are not (WenQuanYi has neither), and fpdf2 silently
    # drops a glyph the font lacks, which left the printed 是/否 and 运行状态 without any mark.
    return "■" if value else "□"


def _yes_no(value: bool) -> str:
    return f"{_mark(value)}是  {_mark(not value)}否"


def render_pdf(account) -> bytes:
    """The 备案登记表 as PDF (A4), with CJK text embedded from the CJK font."""
    ctx = form_context(account)
    pdf = documents.new_pdf(title=f"政务新媒体备案登记表 {account.name}",
                            running_title=f"政务新媒体备案登记表（{account.name}）")
    pdf.set_font("cjk", size=16)
    pdf.cell(0, 10, "政务新媒体备案登记表", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=9.5)
    pdf.cell(0, 7, f"单位名称（盖章）：{ctx['unit']}", new_x="LMARGIN", new_y="NEXT")
    filled = ctx["filled_on"]
    pdf.cell(0, 6, f"填表时间：{filled.year}年{filled.month}月{filled.day}日", align="R", new_x="LMARGIN", new_y="NEXT")
    a = account

    def table(widths, rows):
        """A plain grid (menus, team): one text per cell, its first row the header repeated on a next page."""
        documents.pdf_table(pdf, rows[1:], headings=rows[0], col_widths=widths, line_height=5, padding=0.8)

    images = []

    def fitted(text, widths, least):
        # fpdf2 lays the table's columns out in proportion over the page width, inside a padding each side.
        width = sum(widths) * pdf.epw / sum(FORM_WIDTHS)
        size = documents.fit_size(pdf, text, width, size=9.5, min_size=least, padding=4)
        return None if size == 9.5 else size

    def unit_name(text, widths):
        """A unit's name on one line in smaller type; a name too long even at 6.5 pt breaks before its
        parenthesis (甲县教育局 / （县语言文字工作委员会办公室）), never inside a word."""
        if fitted(text, widths, 0) is None or fitted(text, widths, 0) >= 6.5:
            return text, fitted(text, widths, 6.5)
        head, mark, tail = text.partition("（")
        if not head or not mark:
            return text, fitted(text, widths, 6.5)
        parts = [head, mark + tail]
        sizes = [fitted(part, widths, 6.5) or 9.5 for part in parts]
        return "\n".join(parts), min(sizes)

    def form_table(rows):
        """Rows of PrintedCell: a shaded heading beside each value, as on the official form; a unit's name in
        smaller type where it would otherwise break onto a second line."""
        grid = []
        for cells in rows:
            line = []
            for index, cell in enumerate(cells):
                first = 0 if index == 0 else 2
                line.append(PdfCell(cell.header, rowspan=cell.rowspan, shaded=True,
                                    size=fitted(cell.header, FORM_WIDTHS[first:first + 1], 8)))
                if cell.kind == "bool":
                    text = _yes_no(cell.value)
                elif cell.kind == "image":
                    text = "（见表下）" if cell.value else ""
                    if cell.value:
                        images.append(cell)
                else:
                    text = cell.text
                size = None
                if cell.whole and text:
                    text, size = unit_name(text, FORM_WIDTHS[(1 if index == 0 else 3):][:cell.colspan])
                line.append(PdfCell(text, colspan=cell.colspan, rowspan=cell.rowspan, size=size))
            grid.append(line)
        documents.pdf_table(pdf, grid, col_widths=FORM_WIDTHS, line_height=5, padding=0.8)

    form_table(ctx["top_rows"])
    # A cell is one line high, too small for a QR code that must scan: the image goes below the table.
    for cell in images:
        try:
            y = pdf.get_y() + 2
            pdf.set_font("cjk", size=9.5)
            pdf.cell(30, 6, f"{cell.header}：", new_x="RIGHT", new_y="TOP")
            # Read through the storage (disk or S3), never a local path.
            with cell.value.open("rb") as image:
                pdf.image(io.BytesIO(image.read()), x=pdf.l_margin + 32, y=y, w=28, h=28)
            pdf.set_y(y + 30)
        except (OSError, ValueError):
            pdf.cell(0, 6, "（二维码图片无法读取）", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    # Each heading keeps the table's header row and first row with it (no heading alone at a page's foot).
    documents.pdf_keep(pdf, 22)
    pdf.cell(0, 6, "栏目设置（注：政务微信请注明公众号类型：服务号、订阅号或小程序）", new_x="LMARGIN", new_y="NEXT")
    menu_rows = [("名称", "一级菜单", "二级菜单", "三级菜单", "备注")]
    for row in ctx["menu_rows"]:
        cells = ["", "", ""]
        cells[row["level"] - 1] = row["name"]
        menu_rows.append((a.name if len(menu_rows) == 1 else "", *cells, row["note"]))
    if len(menu_rows) == 1:
        menu_rows.append(("", "", "", "", ""))
    table((38, 38, 38, 38, 38), menu_rows)
    pdf.ln(2)
    documents.pdf_keep(pdf, 22)
    pdf.cell(0, 6, "管理队伍（主要成员）", new_x="LMARGIN", new_y="NEXT")
    team_rows = [("管理员姓名", "所在单位及职务", "办公电话", "手机号码")]
    team_rows += [(m["name"], m["unit_title"], m["office_phone"], m["mobile"]) for m in ctx["team"]] or [("", "", "", "")]
    table((34, 76, 40, 40), team_rows)
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
        [PrintedCell("开办（变更、关停）理由", filing.reason if filing else "", colspan=3)],
        [PrintedCell("主办单位意见", (filing.owner_opinion if filing else "") + owner_sign, colspan=3)],
        [PrintedCell("主管单位意见", (filing.supervisor_opinion if filing else "") + supervisor_sign, colspan=3)],
        *ctx["bottom_rows"],
        [PrintedCell("运行状态", marks, colspan=3)],
    ]
    if references:
        rows.append([PrintedCell("上级审批/报送编号", references, colspan=3)])
    form_table(rows)
    pdf.ln(2)
    pdf.set_font("cjk", size=8.5)
    pdf.multi_cell(0, 5, "注：1.此纸质备案表一式二份，主管单位、主办单位承办单位各留备案。\n"
                         "账号ID及名称、管理队伍人员或维护方式发生变更，应在7个工作日内以书面形式报主管单位备案。")
    return bytes(pdf.output())


def pdf_response(account):
    """The form inline as PDF, or a 503 naming the font to install."""
    return documents.pdf_response(lambda: render_pdf(account), f"account-{account.pk}-form.pdf")


@dataclass(frozen=True)
class RegisterColumn:
    letter: str
    header: str
    width: int
    value: object  # (number, account, current team) -> the cell's value


def _field_value(field: form_rules.FormField):
    # Dates and counts stay typed so that the spreadsheet can sort and sum them.
    def value(number, account, team):
        raw = getattr(account, field.name)
        return raw if field.kind in (DATE, COUNT) else form_rules.display(field, raw)

    return value


# The register's own columns; each 登记表 field brings its column with its declaration (filings.FormField.column).
OWN_COLUMNS = [
    RegisterColumn("A", "序号", 6, lambda number, account, team: number),
    RegisterColumn("N", "运行状态", 10, lambda number, account, team: account.get_status_display()),
    RegisterColumn("O", "最近更新", 12, lambda number, account, team: account.last_updated_on),
    RegisterColumn("Q", "管理员", 16, lambda number, account, team: "、".join(m.name for m in team)),
    RegisterColumn("R", "管理员手机", 14, lambda number, account, team: "、".join(m.mobile for m in team if m.mobile)),
    RegisterColumn("S", "全国报送系统编号", 18, lambda number, account, team: account.national_reference),
]
REGISTER_COLUMNS = sorted(
    OWN_COLUMNS + [
        RegisterColumn(field.column.letter, field.column.header, field.column.width, _field_value(field))
        for field in form_rules.FIELDS if field.column
    ],
    key=lambda column: (len(column.letter), column.letter),
)


def register_xlsx(queryset) -> bytes:
    """The register as a spreadsheet: one row per account, current management team joined into one cell."""
    book = documents.workbook()
    ws = book.create_sheet("政务新媒体台账")
    for column in REGISTER_COLUMNS:
        ws.column_dimensions[column.letter].width = column.width
    documents.append_title(ws, "政务新媒体账号备案台账")
    documents.append_row(ws, [f"导出日期：{timezone.localdate():%Y-%m-%d}"])
    documents.append_header(ws, [column.header for column in REGISTER_COLUMNS])
    accounts = queryset.select_related("owner", "supervisor", "operator").prefetch_related("team")
    for number, account in enumerate(accounts.iterator(chunk_size=500), start=1):
        team = [m for m in account.team.all() if m.left_on is None]
        # Safe cells: an account named "=1+1" stays text; dates keep openpyxl's yyyy-mm-dd.
        documents.append_row(ws, [column.value(number, account, team) for column in REGISTER_COLUMNS])
    ws.freeze_panes = "B4"
    return documents.xlsx_bytes(book)


__all__ = ["render_pdf", "register_xlsx", "form_context"]
