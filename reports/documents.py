"""The documents of a report: the same tables as xlsx (openpyxl) and as PDF (fpdf2 with a CJK font), so the
two files always hold the same figures. The page shows them with links (templates/reports/)."""
from __future__ import annotations

from govmedia.core import documents
from govmedia.core.formatting import week_labels
from rules.models import ItemKind, SubjectType

VERDICT = {"pass": "合格", "fail": "不合格"}
STATUS = {"open": "待整改", "rectified": "已整改", "overdue": "逾期未整改"}
SEVERITY = dict(ItemKind.choices)
SUBJECT = dict(SubjectType.choices)


def _pct(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _num(value) -> str | int | float:
    if value is None:
        return "—"
    return round(value, 1) if isinstance(value, float) else value


def _signed(value) -> str:
    """A change as people write it: +1.8, −0.5, 0; scores to one decimal, never 1.7999999999999972."""
    if value is None:
        return "—"
    text = f"{value:.1f}" if isinstance(value, float) else str(value)
    if text in ("0.0", "-0.0"):
        return "0"
    return f"+{text}" if value > 0 else text


def _reasons(subject: dict) -> str:
    return "；".join(r["label"] for r in subject.get("vetoes", [])) or ""


def _deductions(subject: dict) -> str:
    return "；".join(f"{d['label']}（-{d['points']:g}）" for d in subject.get("deductions", [])) or ""


def title_of(report: dict) -> str:
    name, label = report["organisation"]["name"], report["period"]["label"]
    if report["kind"] == "quarterly":
        return f"{name}政府网站与政务新媒体检查情况通报（{label}）"
    return f"{name}政府网站与政务新媒体月度监测报告（{label}）"


def filename_of(report: dict, ext: str) -> str:
    prefix = "quarterly" if report["kind"] == "quarterly" else "monthly"
    return f"{prefix}-report-{report['organisation']['id']}-{report['period']['key']}.{ext}"


def summary_rows(report: dict) -> list[tuple[str, object, object, object]]:
    t, prev, change = report["totals"], (report.get("previous") or {}).get("totals", {}), report.get("change", {})
    labels = [
        ("sites", "网站数"), ("failing_sites", "不合格网站"), ("accounts", "政务新媒体账号数"),
        ("failing_accounts", "不合格账号"), ("average_score", "平均得分"), ("site_updates", "网站栏目更新条数"),
        ("account_updates", "账号更新条数"), ("account_originals", "账号原创条数"), ("messages_received", "收到留言"),
        ("messages_on_time", "按时答复留言"), ("error_reports_received", "收到找错"), ("error_reports_on_time", "按时答复找错"),
        ("broken_links_found", "新发现错链"), ("findings_opened", "新发现问题"), ("findings_rectified", "本期整改问题"),
        ("findings_overdue", "本期逾期未整改"), ("findings_unresolved", "期末未整改问题"),
    ]
    return [(label, _num(t.get(key)), _num(prev.get(key)), _signed(change.get(key))) for key, label in labels]


def tables(report: dict) -> list[tuple[str, list[str], list[list]]]:
    """(sheet title, headers, rows) of every table the documents hold, in order."""
    meta = [
        ["单位", report["organisation"]["name"]],
        ["期间", f"{report['period']['label']}（{report['period']['start']} 至 {report['period']['end']}）"],
        ["统计截至", report["period"]["as_of"] + ("" if report["period"]["complete"] else "（本期尚未结束）")],
        ["检查指标版本", (f"{v['name']}（{v['year']}）" if (v := report.get("checklist_version")) else "未配置，按默认阈值")],
    ]
    result = [("概况", ["项目", "内容"], meta),
              ("汇总", ["指标", "本期", "上期", "变化"], [list(r) for r in summary_rows(report)])]
    result.append((
        "单位排名",
        ["名次", "单位", "网站", "账号", "不合格网站", "不合格账号", "平均得分", "上期得分", "新发现问题", "已整改", "逾期未整改", "期末未整改"],
        [[u["rank"], u["organisation_name"], u["sites"], u["accounts"], u["failing_sites"], u["failing_accounts"],
          _num(u["average_score"]), _num(u.get("previous_average_score")), u["findings_opened"], u["findings_rectified"],
          u["findings_overdue"], u["findings_unresolved"]] for u in report["units"]],
    ))
    if report["kind"] == "quarterly":
        failing = [("网站", s) for s in report["sites"] if s["verdict"] == "fail"] + \
                  [("账号", a) for a in report["accounts"] if a["verdict"] == "fail"]
        result.append((
            "不合格网站与账号", ["类型", "单位", "名称", "不合格原因", "扣分项", "得分"],
            [[kind, x["organisation_name"], x["name"], _reasons(x), _deductions(x), x["score"]] for kind, x in failing],
        ))
    result.append((
        "网站",
        ["单位", "网站", "结论", "否决项", "扣分项", "得分", "得分变化", "栏目更新", "栏目数", "不更新栏目", "空白栏目",
         "可用率", "监测次数", "新错链", "未修复错链", "留言", "按时答复", "逾期答复", "逾期未答复", "找错", "找错按时答复",
         "新问题", "已整改", "逾期未整改"],
        [[s["organisation_name"], s["name"], VERDICT[s["verdict"]], _reasons(s), _deductions(s), s["score"],
          _signed(s.get("score_change")), f["updates"], f["columns"], f["stale_columns"], f["blank_columns"],
          _pct(f["availability"]), f["probes"], f["broken_links_found"], f["broken_links_open"], f["messages_received"],
          f["messages_on_time"], f["messages_late"], f["messages_overdue"], f["error_reports_received"],
          f["error_reports_on_time"], s["findings_opened"], s["findings_rectified"], s["findings_overdue"]]
         for s in report["sites"] for f in [s["figures"]]],
    ))
    result.append((
        "账号",
        ["单位", "账号", "平台", "结论", "否决项", "扣分项", "得分", "得分变化", "更新条数", "更新天数", "原创条数",
         "最长未更新（天）", "最长无原创（天）", "无更新的自然周", "留言", "按时答复", "逾期答复", "逾期未答复",
         "新问题", "已整改", "逾期未整改"],
        [[a["organisation_name"], a["name"], a["platform_label"], VERDICT[a["verdict"]], _reasons(a), _deductions(a),
          a["score"], _signed(a.get("score_change")), f["updates"], f["update_days"], f["originals"], f["longest_gap_days"],
          f["longest_original_gap_days"], week_labels(f["weeks_without_update"]), f["messages_received"],
          f["messages_on_time"], f["messages_late"], f["messages_overdue"], a["findings_opened"],
          a["findings_rectified"], a["findings_overdue"]]
         for a in report["accounts"] for f in [a["figures"]]],
    ))
    result.append((
        "问题与整改",
        ["编号", "单位", "对象", "名称", "问题", "严重程度", "发现日期", "整改期限", "整改日期", "期末状态"],
        [[f["id"], f["organisation_name"], SUBJECT.get(f["subject_type"], f["subject_type"]), f["subject_name"],
          f["rule_label"], SEVERITY.get(f["severity"], f["severity"]), f["found_on"], f["due_on"],
          f["rectified_on"] or "", STATUS.get(f["status"], f["status"])] for f in report["findings"]],
    ))
    return result


def render_xlsx(report: dict) -> bytes:
    """Write-only workbook: a province's report has tens of thousands of rows, streamed rather than held."""
    book = documents.workbook(write_only=True)
    for index, (title, headers, rows) in enumerate(tables(report)):
        ws = book.create_sheet(title)
        documents.set_widths(ws, documents.fitted_widths(headers, rows))
        header_row = 1
        if index == 0:
            documents.append_title(ws, title_of(report))
            header_row = 2
        ws.freeze_panes = f"A{header_row + 1}"
        documents.append_header(ws, headers)
        for row in rows:
            documents.append_row(ws, row)
    return documents.xlsx_bytes(book)


def render_pdf(report: dict) -> bytes:
    """A4 landscape; each table with its header repeated on every page; CJK text from the CJK font."""
    pdf = documents.new_pdf(title=title_of(report), orientation="L", margin=12)
    pdf.set_font("cjk", size=15)
    pdf.multi_cell(0, 9, title_of(report), align="C", new_x="LMARGIN", new_y="NEXT")
    for title, headers, rows in tables(report):
        pdf.set_font("cjk", size=11)
        pdf.ln(3)
        pdf.cell(0, 7, title, new_x="LMARGIN", new_y="NEXT")
        if not rows:
            pdf.set_font("cjk", size=8)
            pdf.cell(0, 6, "（无）", new_x="LMARGIN", new_y="NEXT")
            continue
        size = 8 if len(headers) <= 12 else 5.5
        pdf.set_font("cjk", size=size)
        documents.pdf_table(pdf, rows, headings=headers, line_height=size * 0.55, padding=0.8, fill=(235, 235, 235))
    return bytes(pdf.output())
