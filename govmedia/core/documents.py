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


PAGE_NUMBER = "第 {page} 页 共 {total} 页"
_PDF_CLASS = None


def _pdf_class():
    """FPDF with the official page furniture: "第 N 页 共 M 页" at every page's foot and, from page 2, the
    document's short title at its head. Built on first use: importing fpdf costs half a second."""
    global _PDF_CLASS
    if _PDF_CLASS is None:
        from fpdf import FPDF

        class OfficialPdf(FPDF):
            running_title = ""
            numbered = True

            def header(self):
                if self.running_title and self.page_no() > 1:
                    self.set_font("cjk", size=8)
                    self.set_text_color(100)
                    self.set_xy(self.l_margin, max(4.0, self.t_margin - 7))
                    self.cell(self.epw, 5, self.running_title, align="R")
                    self.set_text_color(0)
                    self.set_xy(self.l_margin, self.t_margin)

            def footer(self):
                if self.numbered:
                    self.set_font("cjk", size=9)
                    self.set_text_color(0)
                    self.set_xy(self.l_margin, self.h - min(self.b_margin, 12) + 2)
                    # {nb} is fpdf2's alias for the page count, filled in when the document is written.
                    self.cell(self.epw, 5, PAGE_NUMBER.format(page=self.page_no(), total=self.str_alias_nb_pages),
                              align="C")

        _PDF_CLASS = OfficialPdf
    return _PDF_CLASS


def new_pdf(*, title: str, orientation: str = "P", margin: float = 15, page_numbers: bool = True,
            running_title: str = ""):
    """An A4 PDF on its first page, with the CJK font registered as "cjk", page numbers in the official form
    ("第 N 页 共 M 页") and, from page 2, `running_title` at the head of each page. Raises CJKFontMissing."""
    font = find_cjk_font()
    pdf_class = _pdf_class()
    # fontTools reports every subsetting step at INFO; a document is not worth a hundred log lines.
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    pdf = pdf_class(orientation=orientation, format="A4")
    pdf.numbered = page_numbers
    pdf.running_title = running_title
    # Room at the foot for the page number; the sides keep fpdf2's 10 mm, which every layout here is drawn for.
    pdf.set_auto_page_break(True, margin=margin + (4 if page_numbers else 0))
    pdf.set_title(title)
    pdf.add_font("cjk", fname=font)
    pdf.set_font("cjk", size=10)
    pdf.add_page()
    return pdf


@dataclass(frozen=True)
class PdfCell:
    """A table cell that is more than its text: spanning columns or rows, or shaded like a form's label."""

    text: object
    colspan: int = 1
    rowspan: int = 1
    shaded: bool = False
    size: float | None = None  # a smaller type for this cell (a long unit name kept on one line)


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
                    style = shade if value.shaded else None
                    if value.size:
                        style = FontFace(size_pt=value.size, fill_color=fill if value.shaded else None)
                    row.cell(_text(value.text), colspan=value.colspan, rowspan=value.rowspan, style=style)
                else:
                    row.cell(_text(value))


def _text(value) -> str:
    return "" if value is None else str(value)


# --- official layout: title block, headings kept with what follows, fast tables ---------------------------------

NAME, NUMBER, TEXT = "name", "number", "text"
BREAKS = "；;，,、 /）)"  # a wrapped line ends after one of these when one is near the end
NO_LINE_START = "。，、；：？！）》」』”’.,;:)"  # punctuation a Chinese line never starts with


@dataclass(frozen=True)
class PdfColumn:
    """A column of `pdf_grid`. `kind` says how a value that does not fit is treated: a NAME (a unit's or an
    account's name) or a NUMBER is never broken across lines, its text shrinks to fit; TEXT wraps into lines.
    `width` (mm) fixes the column; otherwise it is fitted to the values, at most `max_width`."""

    header: str
    kind: str = TEXT
    width: float | None = None
    max_width: float = 90
    align: str | None = None  # "L", "C" or "R"; numbers right, the rest left

    @property
    def alignment(self) -> str:
        return self.align or ("R" if self.kind == NUMBER else "L")


class _Measure:
    """Text widths in mm for the CJK font, cached per text: a report repeats the same unit names thousands of
    times, and fpdf2's own measuring parses markup on every call."""

    def __init__(self, pdf):
        self.cw = pdf.fonts["cjk"].cw
        self.k = pdf.k
        self.cache: dict[str, float] = {}

    def width(self, text: str, size: float) -> float:
        units = self.cache.get(text)
        if units is None:
            cw = self.cw
            units = self.cache[text] = sum(cw[ord(c)] for c in text)
        return units * size / 1000 / self.k


def fit_size(pdf, text: str, width: float, *, size: float, min_size: float = 6, padding: float = 1.6) -> float:
    """The type size (pt, at most `size`) at which `text` stands on one line in a cell `width` mm wide: how a
    form keeps a long unit name whole. Below `min_size` it is `min_size`, and the text wraps."""
    natural = _Measure(pdf).width(text, size)
    inner = width - padding
    if natural <= inner:
        return size
    return max(min_size, round(size * inner / natural - 0.05, 1))


def _wrap(measure: _Measure, text: str, width: float, size: float) -> list[str]:
    """`text` in lines no wider than `width` mm: by character, as Chinese is set, but ending a line after a
    separator (；、，) when one falls in the line's last third, so a list breaks between its items."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        if measure.width(paragraph, size) <= width:
            lines.append(paragraph)
            continue
        line, used = "", 0.0
        for char in paragraph:
            w = measure.width(char, size)
            if line and used + w > width:
                cut = max((line.rfind(b) for b in BREAKS), default=-1)
                if cut >= len(line) * 2 // 3 and cut < len(line) - 1:
                    lines.append(line[:cut + 1])
                    line = line[cut + 1:]
                elif char in NO_LINE_START and len(line) > 1:
                    # The last character goes down with the punctuation that may not open a line.
                    lines.append(line[:-1])
                    line = line[-1]
                else:
                    lines.append(line)
                    line = ""
                used = measure.width(line, size)
            line += char
            used += w
        lines.append(line)
    return lines


def pdf_title_block(pdf, *, issuer: str, title: str, subtitle: str = "", dated: str = "") -> None:
    """The head of an official document: the issuing unit in red over a red rule, the title, the period and the
    date. The title is written as given: callers build it without repeating the issuer's words."""
    pdf.set_font("cjk", size=18)
    pdf.set_text_color(200, 16, 16)
    pdf.multi_cell(0, 10, issuer, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_draw_color(200, 16, 16)
    pdf.set_line_width(0.6)
    y = pdf.get_y() + 1
    pdf.line(pdf.l_margin, y, pdf.w - pdf.r_margin, y)
    pdf.set_draw_color(0)
    pdf.set_line_width(0.2)
    pdf.set_text_color(0)
    pdf.set_y(y + 4)
    pdf.set_font("cjk", size=16)
    pdf.multi_cell(0, 9, title, align="C", new_x="LMARGIN", new_y="NEXT")
    if subtitle:
        pdf.set_font("cjk", size=11)
        pdf.multi_cell(0, 7, subtitle, align="C", new_x="LMARGIN", new_y="NEXT")
    if dated:
        pdf.set_font("cjk", size=10)
        pdf.cell(0, 7, dated, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)


def pdf_keep(pdf, height: float) -> None:
    """Start the next page unless `height` mm are left on this one: what belongs together stays together."""
    if pdf.get_y() + height > pdf.page_break_trigger:
        pdf.add_page()


def pdf_heading(pdf, text: str, *, size: float = 12, keep: float = 20) -> None:
    """A section heading that never stands alone at a page's foot: with less than `keep` mm left below it
    for what follows, it starts the next page."""
    height = size * 0.6
    pdf_keep(pdf, height + 2 + keep)
    pdf.set_font("cjk", size=size)
    pdf.ln(1)
    pdf.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)


def pdf_paragraph(pdf, text: str, *, size: float = 10, indent: bool = True) -> None:
    """Running text, first line indented two characters as Chinese documents are."""
    pdf.set_font("cjk", size=size)
    pdf.multi_cell(0, size * 0.62, ("\u3000\u3000" if indent else "") + text, align="L", new_x="LMARGIN", new_y="NEXT")


def pdf_grid(pdf, columns: Sequence[PdfColumn], rows: Iterable[Sequence], *, title: str | None = None,
             size: float = 8, min_size: float = 5, empty: str = "（无）", header_fill: int = 232,
             width: float | None = None) -> None:
    """A table drawn directly (text and lines, no per-cell layout objects), fast enough for tens of thousands
    of rows: the header row shaded and repeated at the top of every page, rows never split across pages,
    names and numbers never broken (shrunk to fit), text wrapped, the columns fitted to the page width.
    `title`, when given, is a heading kept on the page of the table's first row; `width` (mm) narrows a table
    of a few columns that would look stretched across the whole page."""
    measure = _Measure(pdf)
    rows = [["" if v is None else str(v) for v in row] for row in rows]
    pad, pad_v = 1.0, 0.8
    size_mm = size / pdf.k
    line_h = size_mm * 1.3
    widths = _fit_widths(measure, columns, rows, min(width or pdf.epw, pdf.epw), size, min_size, pad)
    header = _layout_row(measure, [PdfColumn(c.header, kind=TEXT, align="C") for c in columns],
                         [c.header for c in columns], widths, size, min_size, pad)
    header_h = max(len(lines) for lines, _ in header) * line_h + 2 * pad_v
    if not rows:
        if title:
            pdf_heading(pdf, title, keep=8)
        pdf_paragraph(pdf, empty, size=size + 1, indent=False)
        return
    first = _layout_row(measure, columns, rows[0], widths, size, min_size, pad)
    if title:
        pdf_heading(pdf, title, keep=header_h + max(len(lines) for lines, _ in first) * line_h + 2 * pad_v)
    pdf.set_font("cjk", size=size)
    pdf.set_line_width(0.2)
    pdf.set_draw_color(0)
    x0 = pdf.l_margin
    edges = [x0]
    for w in widths:
        edges.append(edges[-1] + w)
    # Rows that would not fit a page even alone are cut to what does (with an ellipsis): a page is the limit.
    most_lines = max(1, int((pdf.page_break_trigger - pdf.t_margin - header_h - 2 * pad_v) // line_h) - 1)

    font = pdf.fonts["cjk"]
    encoded: dict[str, str] = {}
    k, page_h = pdf.k, pdf.h

    def place(cells, cols, top, height):
        """(x, baseline, size, line) of every line of a row's cells."""
        for (lines, cell_size), col, left, right in zip(cells, cols, edges, edges[1:]):
            if not lines or lines == [""]:
                continue
            cell_line = line_h * cell_size / size if len(lines) == 1 else line_h
            offset = top + (height - len(lines) * cell_line) / 2
            for index, line in enumerate(lines):
                baseline = offset + index * cell_line + cell_line / 2 + 0.33 * cell_size / k
                if col.alignment == "L":
                    x = left + pad
                else:
                    free = right - left - 2 * pad - measure.width(line, cell_size)
                    x = left + pad + (free if col.alignment == "R" else free / 2)
                yield x, baseline, cell_size, line

    def draw_header(top):
        # Through fpdf2's own text(): it registers the font on each new page.
        pdf.set_fill_color(header_fill)
        pdf.rect(x0, top, edges[-1] - x0, header_h, style="F")
        for x, baseline, cell_size, line in place(header, header_columns, top, header_h):
            pdf.set_font_size(cell_size)
            pdf.text(x, baseline, line)
        pdf.set_font_size(size)
        pdf.set_fill_color(255)

    def draw_row(cells, top, height):
        # One text object and one ruling per row, written as PDF operators: the body of a province's table is
        # tens of thousands of rows, and fpdf2's per-call bookkeeping (~70 µs a text) was what made it slow.
        ops = ["q 0 g BT"]
        current = None
        for x, baseline, cell_size, line in place(cells, columns, top, height):
            if cell_size != current:
                ops.append(f"/F{font.i} {cell_size:.2f} Tf")
                current = cell_size
            text = encoded.get(line)
            if text is None:
                text = encoded[line] = font.encode_text(line)
            ops.append(f"1 0 0 1 {x * k:.2f} {(page_h - baseline) * k:.2f} Tm {text}")
        bottom = (page_h - top - height) * k
        ops.append(f"ET Q {x0 * k:.2f} {bottom:.2f} m {edges[-1] * k:.2f} {bottom:.2f} l S")
        pdf._out(" ".join(ops))  # pylint: disable=protected-access

    def close_block(top, bottom):
        # The column rules of a page's block at once: one line per column per page, not a frame per cell.
        for edge in edges:
            pdf.line(edge, top, edge, bottom)

    header_columns = [PdfColumn(c.header, align="C") for c in columns]

    def start_page_block():
        top = pdf.get_y()
        draw_header(top)
        pdf.line(x0, top, edges[-1], top)
        pdf.line(x0, top + header_h, edges[-1], top + header_h)
        return top, top + header_h

    block_top, y = start_page_block()
    for index, row in enumerate(rows):
        cells = first if index == 0 else _layout_row(measure, columns, row, widths, size, min_size, pad)
        lines_in_row = max(len(lines) for lines, _ in cells)
        if lines_in_row > most_lines:
            cells = [(lines[:most_lines - 1] + [lines[most_lines - 1][:-1] + "…"], s) if len(lines) > most_lines
                     else (lines, s) for lines, s in cells]
            lines_in_row = most_lines
        height = lines_in_row * line_h + 2 * pad_v
        if y + height > pdf.page_break_trigger:
            close_block(block_top, y)
            pdf.add_page()
            pdf.set_font("cjk", size=size)
            pdf.set_line_width(0.2)
            block_top, y = start_page_block()
        draw_row(cells, y, height)
        y += height
    close_block(block_top, y)
    pdf.set_xy(pdf.l_margin, y + 2)


def _layout_row(measure, columns, values, widths, size, min_size, pad) -> list[tuple[list[str], float]]:
    """Each cell's lines and font size: names and numbers on one line, shrunk to fit (wrapped only when even
    the smallest size cannot hold them), text wrapped."""
    cells = []
    for col, value, width in zip(columns, values, widths):
        inner = width - 2 * pad
        if col.kind == TEXT:
            cells.append((_wrap(measure, value, inner, size), size))
            continue
        natural = measure.width(value, size)
        if natural <= inner:
            cells.append(([value], size))
        elif natural * min_size / size <= inner:
            cells.append(([value], size * inner / natural))
        else:
            cells.append((_wrap(measure, value, inner, min_size), min_size))
    return cells


def _fit_widths(measure, columns, rows, available, size, min_size, pad) -> list[float]:
    """Column widths (mm) filling `available`: each column as wide as its longest value and its heading on one
    line where the page allows; else text columns give way first, then names and numbers down to their smallest
    type; headings wrap onto two lines before a name shrinks."""
    natural, least, heading = [], [], []
    for index, col in enumerate(columns):
        longest = max((measure.width(row[index], size) for row in rows if index < len(row)), default=0.0)
        head = measure.width(col.header, size)
        heading.append(head + 2 * pad)
        head_least = head / 2 + measure.width("字", size) + 2 * pad
        if col.width:
            natural.append(col.width)
            least.append(col.width)
        elif col.kind == TEXT:
            natural.append(max(min(longest + 2 * pad, col.max_width), head_least))
            least.append(max(min(longest + 2 * pad, 22.0), head_least))
        else:
            natural.append(max(longest + 2 * pad, head_least))
            least.append(max(longest * min_size / size + 2 * pad, head_least))
    if sum(natural) <= available:
        widths = list(natural)
        # Spare room first lets headings stand on one line, then is shared in proportion.
        for index, col in enumerate(columns):
            if not col.width:
                grow = min(max(0.0, heading[index] - widths[index]), available - sum(widths))
                widths[index] += grow
        spare = available - sum(widths)
        # Names and text take the spare room; a column of figures stays as narrow as its figures.
        flexible = [i for i, col in enumerate(columns) if not col.width and col.kind != NUMBER] or \
            [i for i, col in enumerate(columns) if not col.width]
        total = sum(widths[i] for i in flexible) or 1
        for i in flexible:
            widths[i] += spare * widths[i] / total
        return widths
    if sum(least) <= available:
        spare = available - sum(least)
        wants = [n - m for n, m in zip(natural, least)]
        total = sum(wants) or 1
        return [m + spare * w / total for m, w in zip(least, wants)]
    scale = available / sum(least)
    return [m * scale for m in least]


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
