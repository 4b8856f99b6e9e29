"""Scores and their changes read as people write them: one decimal, signed, never a float artefact."""
from reports.documents import summary_rows


def test_a_change_in_the_average_score_is_one_decimal_and_signed():
    report = {
        "totals": {"average_score": 87.6, "sites": 4},
        "previous": {"totals": {"average_score": 85.8, "sites": 4}},
        # What the figures used to store: 87.6 - 85.8 in binary floating point.
        "change": {"average_score": 87.6 - 85.8, "sites": 0},
    }
    rows = {label: (now, before, change) for label, now, before, change in summary_rows(report)}
    assert rows["平均得分"] == (87.6, 85.8, "+1.8")
    assert rows["网站数"] == (4, 4, "0")
    report["change"]["average_score"] = 85.8 - 87.6
    assert dict((r[0], r[3]) for r in summary_rows(report))["平均得分"] == "-1.8"


def test_weeks_read_as_the_office_says_them():
    from govmedia.core.formatting import week_label, week_labels

    # 2026-10-05 is a Monday; the week of 国庆 (9.28–10.04) holds Thursday 10-01, so it is October's first.
    assert week_label("2026-W40") == "10月第1周（9.28–10.04）"
    assert week_label("2026-W41") == "10月第2周（10.05–10.11）"
    assert week_label("2026-W01") == "1月第1周（12.29–1.04）"
    assert week_labels(["2026-W40", "2026-W41"]) == "10月第1周（9.28–10.04）、10月第2周（10.05–10.11）"
