"""Demo data of the reports: last month's stored documents for the demo county (as beat writes them on the
first of the month), last quarter's published bulletin, and 县教育局's self-inspection of last month."""
from reports.periods import last_complete_month, last_complete_quarter
from reports.selfcheck import INDICATOR_CODES, prefill
from reports.services import bulletin_publish, self_inspection_save, store_monthly_documents


def seed_area(region, stdout):
    root, people, units = region["root"], region["people"], region["units"]
    month, quarter = last_complete_month(), last_complete_quarter()
    done = store_monthly_documents(month, [root])
    bulletin = bulletin_publish(organisation=root, period=quarter, user=people["office_zhang"],
                                summary="请各单位对照通报问题于 7 日内完成整改，并在平台上反馈整改情况。")
    unit = units["县教育局"]
    known = prefill(unit, month)
    answers = {}
    for code in INDICATOR_CODES:
        answer = known["indicators"][code]
        result = answer["result"] or "yes"
        note = answer["note"] or ("" if result != "no" else "已安排整改。")
        answers[code] = {"result": result, "note": note}
    self_inspection_save(organisation=unit, period=month, user=people["edu_editor"], answers=answers,
                         signers={"leader": "周伟", "section_head": "孙丽", "keeper": "赵晓燕"}, prefill=known)
    stdout.write(f"报告：{month.label}月度监测报告 {len(done)} 份；已发布《{bulletin.title}》；县教育局{month.label}自查已留存。")
