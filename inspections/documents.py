"""The findings list as a spreadsheet: the rows the page lists (same scope, filters, search and sort), one
sheet, Chinese headings, dates as dates and counts as numbers, every text cell written by the shared xlsx
helper (no cell a spreadsheet would run as a formula)."""
from __future__ import annotations

import datetime as dt

from govmedia.core.documents import append_header, append_row, set_widths, workbook, xlsx_bytes

from .models import Severity

HEADERS = ("编号", "问题", "严重程度", "对象类型", "对象", "责任单位", "发现日期", "整改期限", "状态", "逾期天数", "规定依据")
WIDTHS = (8, 30, 10, 10, 30, 24, 12, 12, 12, 10, 36)


def _overdue_days(finding, today: dt.date) -> int | None:
    """Days past the due date of an unresolved finding (None when resolved, answered or not yet due)."""
    if finding.is_unresolved and not finding.awaiting_review and finding.due_on < today:
        return (today - finding.due_on).days
    return None


def finding_export_xlsx(findings, *, today: dt.date) -> bytes:
    book = workbook(write_only=True)
    sheet = book.create_sheet("检查问题")
    set_widths(sheet, WIDTHS)
    append_header(sheet, HEADERS)
    severity = dict(Severity.choices)
    # iterator(): a region's findings can be many; rows are written as they are read.
    for f in findings.iterator(chunk_size=2000):
        append_row(sheet, [
            f.pk, f.rule_label, severity.get(f.severity, f.severity), f.get_subject_type_display(),
            f.subject_name or str(f.subject_id), f.organisation.name, f.found_on, f.due_on,
            f.status_display[0], _overdue_days(f, today), f.source,
        ])
    return xlsx_bytes(book)
