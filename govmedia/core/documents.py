"""What every document the platform writes shares: the CJK font, spreadsheets (xlsx) whose cells are written
safely, and PDFs (fpdf2) with Chinese text and tables. Each document's own layout stays in its app.

Text always lands in a spreadsheet as text, never as a formula: a name such as "=HYPERLINK(...)" typed into a
form would otherwise run when an office opens the register (formula injection)."""
from __future__ import annotations

import datetime as dt
import glob
import io
import logging
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_TYPE = "application/pdf"

# --- the CJK font -------------------------------------------------------------------------------------------------

# Shipped with the project (WenQuanYi Micro Hei, Apache-2.0 or GPLv3), so PDFs work on any machine; then the
# Debian/Ubuntu packages (fonts-wqy-microhei) and other common places.
FONT_CANDIDATES = [
    str(Path(__file__).resolve().parent / "fonts" / "wqy-microhei.ttc"),
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
FONT_GLOBS = [
    "/usr/share/fonts/**/*wqy*.tt[cf]", "/usr/share/fonts/**/*[Hh]ei*.tt[cf]", "/usr/share/fonts/**/*CJK*.tt[cf]",
]


class CJKFontMissing(RuntimeError):
    pass


def find_cjk_font() -> str:
    """A font with Chinese glyphs: GOVMEDIA_CJK_FONT (setting or environment) if given, else a known font."""
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


# --- spreadsheets -------------------------------------------------------------------------------------------------

# What Excel, WPS and LibreOffice start a formula with (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEADER_FILL = "F2F2F2"


def workbook(*, write_only: bool = False):
    """A new workbook without sheets: add them with `book.create_sheet(title)`, the first is the one Excel
    opens on. Write-only streams its rows (a province's report has tens of thousands) but cannot be read
    back or restyled once a row is written."""
    book = Workbook(write_only=write_only)
    if not write_only:
        book.remove(book.active)  # the default "Sheet"; write-only workbooks start without one
    return book


def cell(ws, value, *, bold: bool = False, size: float | None = None, fill: str | None = None, wrap: bool = False):
    """One cell for `ws.append`, written safely (see `_plain` and `_runs`), styled as asked."""
    c = Cell(ws, row=1, column=1, value=_plain(value))  # ws.append places it; write-only sheets need a position
    if _runs(c.value):
        c.data_type = "s"
        c.quotePrefix = True  # Excel keeps it text even when someone edits the cell
    if bold or size:
        c.font = Font(bold=bold, size=size)
    if fill:
        c.fill = PatternFill("solid", fgColor=fill)
    if wrap:
        c.alignment = Alignment(wrap_text=True, vertical="center")
    return c


def _plain(value):
    """Characters XML forbids dropped (openpyxl would raise); an aware datetime in local time (Excel has no
    time zones)."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.make_naive(value)
    return value


def _runs(value) -> bool:
    """Text a spreadsheet would run as a formula, or read as an error code."""
    return isinstance(value, str) and (value.startswith(FORMULA_STARTS) or value in ERROR_CODES)


def append_row(ws, values: Iterable, **style) -> None:
    """Append one row written safely; with a style, every cell gets it. Unstyled harmless values go in as
    they are: a province's report has hundreds of thousands of cells."""
    if style:
        ws.append([cell(ws, value, **style) for value in values])
        return
    plain = [_plain(value) for value in values]
    ws.append([cell(ws, value) if _runs(value) else value for value in plain])


def append_title(ws, text: str) -> None:
    append_row(ws, [text], bold=True, size=14)


def append_header(ws, headers: Sequence[str]) -> None:
    """The column headings: bold, shaded, wrapped."""
    append_row(ws, headers, bold=True, fill=HEADER_FILL, wrap=True)


def set_widths(ws, widths: Sequence[float]) -> None:
    """Column widths in Excel's units (about one Latin character; a Chinese character is two). For a
    write-only sheet, call before the first row."""
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width


def fitted_widths(headers: Sequence, rows: Sequence[Sequence], *, sample: int = 200, least: float = 8,
                  most: float = 48) -> list[float]:
    """Widths from the longest text of each column among the headings and the first `sample` rows."""
    widths = []
    for col, header in enumerate(headers):
        longest = max([len(str(header))] + [len(str(r[col])) for r in rows[:sample] if col < len(r)])
        widths.append(min(most, max(least, longest * 1.8)))
    return widths


def xlsx_bytes(book) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- PDF ----------------------------------------------------------------------------------------------------------


def new_pdf(*, title: str, orientation: str = "P", margin: float = 15):
    """An A4 PDF on its first page, with the CJK font registered as "cjk". Raises CJKFontMissing."""
    from fpdf import FPDF  # half a second to import: only a PDF pays for it

    font = find_cjk_font()
    # fontTools reports every subsetting step at INFO; a document is not worth a hundred log lines.
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    pdf = FPDF(orientation=orientation, format="A4")
    pdf.set_auto_page_break(True, margin=margin)
    pdf.set_title(title)
    pdf.add_font("cjk", fname=font)
    pdf.add_page()
    return pdf


@dataclass(frozen=True)
class PdfCell:
    """A table cell that is more than its text: spanning columns or rows, or shaded like a form's label."""

    text: object
    colspan: int = 1
    rowspan: int = 1
    shaded: bool = False


def pdf_table(pdf, rows: Iterable[Sequence], *, headings: Sequence | None = None, col_widths=None,
              line_height: float = 6, padding: float = 1.2, fill: tuple[int, int, int] = (242, 242, 242)) -> None:
    """A table in the current font; a cell is a value (None prints as nothing) or a PdfCell. `headings` are
    shaded and repeated on every page."""
    from fpdf.fonts import FontFace

    shade = FontFace(fill_color=fill)  # no bold: the CJK font has no bold face
    options = {"col_widths": col_widths} if col_widths else {}
    with pdf.table(text_align="LEFT", line_height=line_height, padding=padding, headings_style=shade,
                   first_row_as_headings=headings is not None, repeat_headings=1, **options) as table:
        if headings is not None:
            table.row([_text(h) for h in headings])
        for values in rows:
            row = table.row()
            for value in values:
                if isinstance(value, PdfCell):
                    row.cell(_text(value.text), colspan=value.colspan, rowspan=value.rowspan,
                             style=shade if value.shaded else None)
                else:
                    row.cell(_text(value))


def _text(value) -> str:
    return "" if value is None else str(value)


def pdf_response(render: Callable[[], bytes], filename: str, *, inline: bool = True) -> HttpResponse:
    """The PDF `render()` writes, or a plain 503 saying which font to install when there is none."""
    try:
        content = render()
    except CJKFontMissing as exc:
        return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(content, content_type=PDF_TYPE)
    return name_download(response, filename, inline=inline)


def name_download(response: HttpResponse, filename: str, *, inline: bool = False) -> HttpResponse:
    """The one way a download is named: Chinese file names as RFC 5987 `filename*` (with an ASCII fallback
    for old clients), so the office sees 账号台账-20261130.xlsx, not account-register.xlsx."""
    response["Content-Disposition"] = content_disposition_header(not inline, filename)
    return response
