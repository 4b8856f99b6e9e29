NAVIGATION = [
    ("本单位整改", "inspections-my-findings", "all"),
    ("检查问题", "finding-list", "all"),
    ("更新倒计时", "countdown", "all"),
    ("找错与留言", "error-report-list", "all"),
    ("检查记录", "inspection-list", "all"),
]
