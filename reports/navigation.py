NAVIGATION = [
    ("监测报告", "reports", "all"),
    ("每月自查", "self-inspection", "all"),
]
