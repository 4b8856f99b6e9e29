"""The documents of a report: the same tables as xlsx (openpyxl) and as PDF (fpdf2 with a CJK font), so the
two files always hold the same figures. The page shows them with links (templates/reports/)."""
from __future__ import annotations

import datetime as dt

from openpyxl.cell import WriteOnlyCell

from govmedia.core import documents
from govmedia.core.formatting import one_decimal, signed

from reports import columns

# The column set is reports.columns' (one definition for the page, the xlsx and the PDF).
VERDICT, STATUS, SEVERITY, SUBJECT = columns.VERDICT, columns.STATUS, columns.SEVERITY, columns.SUBJECT


def region_words(name: str) -> str:
    """The unit's name as the title's first words: 清源县人民政府 → 清源县, so that the title never reads
    "清源县人民政府政府网站…"."""
    for suffix in ("人民政府", "政府"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def document_name(report: dict) -> str:
    """The document's name without the period: 清源县政府网站与政务新媒体月度监测报告."""
    kind = "检查情况通报" if report["kind"] == "quarterly" else "月度监测报告"
    return f"{region_words(report['organisation']['name'])}政府网站与政务新媒体{kind}"


def title_of(report: dict) -> str:
    return f"{document_name(report)}（{report['period']['label']}）"


def filename_of(report: dict, ext: str) -> str:
    """The download name in Chinese (sent as RFC 5987 by govmedia.core.files): 月度监测报告-甲县人民政府-2024年10月.xlsx."""
    kind = "季度通报" if report["kind"] == "quarterly" else "月度监测报告"
    name = "".join(ch for ch in report["organisation"]["name"] if ch not in '/\\:*?"<>|')
    return f"{kind}-{name}-{report['period']['label']}.{ext}"


def summary_rows(report: dict) -> list[tuple[str, object, object, str]]:
    """(label, this period, last period, change as read) of the summary, from the one column set."""
    return [(r["label"], "—" if r["now"] is None else one_decimal(r["now"]),
             "—" if r["before"] is None else one_decimal(r["before"]), signed(r["change"]))
            for r in columns.summary_items(report)]


def tables(report: dict, *, detail: bool = True) -> list[tuple[str, list[str], object]]:
    """(sheet title, headers, rows as read) of every table the documents hold, in order; the rows are produced
    as they are written. Without `detail`, what a person reads (the PDF); with it, every subject too (the xlsx)."""
    result = [("概况", ["项目", "内容"], columns.meta_rows(report))]
    result += [(t.title, t.headers, t.shown_rows()) for t in columns.report_tables(report, detail=detail)]
    return result


def _xlsx_cell(ws, value, kind: str):
    """Numbers stay numbers; a change or a share gets its number format (+1.8, 97.5%)."""
    fmt = columns.NUMBER_FORMATS.get(kind)
    if fmt is None or value is None:
        return value
    cell = WriteOnlyCell(ws, value=value)
    cell.number_format = fmt
    return cell


def render_xlsx(report: dict) -> bytes:
    """Write-only workbook, rows streamed from the report as they are written (a province's report has tens of
    thousands of rows): memory holds the rows written, compressed, not a copy of the report as tables."""
    book = documents.workbook(write_only=True)
    sheets = [("概况", None, ["项目", "内容"], columns.meta_rows(report))]
    sheets += [(t.title, t, t.headers, t.source) for t in columns.report_tables(report, detail=True)]
    for index, (title, table, headers, source) in enumerate(sheets):
        ws = book.create_sheet(title)
        sample = [[c.value(x) for c in table.columns] for x in source[:200]] if table else source
        documents.set_widths(ws, documents.fitted_widths(headers, sample))
        header_row = 1
        if index == 0:
            documents.append_title(ws, title_of(report))
            header_row = 2
        ws.freeze_panes = f"A{header_row + 1}"
        documents.append_header(ws, headers)
        if table is None:
            for row in source:
                documents.append_row(ws, row)
            continue
        kinds = [c.kind for c in table.columns]
        for values in table.rows():
            documents.append_row(ws, [_xlsx_cell(ws, v, k) for v, k in zip(values, kinds)])
    return documents.xlsx_bytes(book)


def _pdf_column(column: columns.Column) -> documents.PdfColumn:
    """How the PDF draws a column of the one column set: figures right-aligned and never broken, the names of
    units and subjects kept on one line (shrunk to fit), reasons wrapped."""
    if column.kind != columns.TEXT:
        return documents.PdfColumn(column.header, kind=documents.NUMBER)
    if column.key or column.header in ("单位", "名称", "网站", "账号", "类型", "平台", "结论"):
        return documents.PdfColumn(column.header, kind=documents.NAME)
    return documents.PdfColumn(column.header)


def _long_date(iso: str) -> str:
    day = dt.date.fromisoformat(iso)
    return f"{day.year}年{day.month}月{day.day}日"


def _overview(report: dict) -> str:
    """The summary in one paragraph, as the opening of a bulletin reads."""
    t = report["totals"]
    text = (f"本期共监测政府网站 {t['sites']} 个、政务新媒体账号 {t['accounts']} 个，"
            f"其中不合格网站 {t['failing_sites']} 个、不合格账号 {t['failing_accounts']} 个")
    if t.get("average_score") is not None:
        text += f"，平均得分 {columns.shown(one_decimal(t['average_score']), columns.SCORE)} 分"
    return text + (f"。本期新发现问题 {t['findings_opened']} 个，已整改 {t['findings_rectified']} 个，"
                   f"逾期未整改 {t['findings_overdue']} 个，期末尚未整改 {t['findings_unresolved']} 个。")


# Section titles of the PDF, by the tables' titles in the column set.
PDF_SECTIONS = {"汇总": "一、总体情况", "单位排名": "二、单位排名", "不合格网站与账号": "三、不合格网站与账号及原因"}


def render_pdf(report: dict) -> bytes:
    """What a person reads, in an official document's layout: the title block, the summary, the units' ranking
    and the failing sites and accounts with their reasons; the full per-subject detail is in the xlsx (said on
    the first page). A4 landscape (the ranking is wide), "第 N 页 共 M 页" on every page, each table's header
    repeated on each page, headings kept with their table, unit names never broken.

    Drawn directly (govmedia.core.documents.pdf_grid): a region of 20,000 accounts is written in seconds."""
    name = document_name(report)
    period = report["period"]
    pdf = documents.new_pdf(title=title_of(report), orientation="L", margin=12, running_title=title_of(report))
    version = report.get("checklist_version")
    dated = f"统计截至 {_long_date(period['as_of'])}" + ("" if period["complete"] else "（本期尚未结束）")
    if version:
        dated = f"检查指标：{version['name']}（{version['year']}）    " + dated
    documents.pdf_title_block(
        pdf, issuer=report["organisation"]["name"], title=name,
        subtitle=f"{period['label']}（{_long_date(period['start'])}至{_long_date(period['end'])}）", dated=dated,
    )
    for table in columns.report_tables(report, detail=False):
        heading = PDF_SECTIONS.get(table.title, table.title)
        pdf_columns = [_pdf_column(c) for c in table.columns]
        rows = table.shown_rows()
        if table.title == "汇总":
            documents.pdf_heading(pdf, heading, keep=30)
            documents.pdf_paragraph(pdf, _overview(report))
            for paragraph in (report.get("bulletin_summary") or "").splitlines():
                if paragraph.strip():
                    documents.pdf_paragraph(pdf, paragraph.strip())
            documents.pdf_paragraph(pdf, columns.DETAIL_NOTE)
            pdf.ln(2)
            documents.pdf_grid(pdf, pdf_columns, rows, size=9, width=150)
            continue
        documents.pdf_grid(pdf, pdf_columns, rows, title=heading, size=8.5)
    return bytes(pdf.output())
