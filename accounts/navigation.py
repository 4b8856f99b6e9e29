NAVIGATION = [
    ("政务新媒体", "account-list", "all"),
    ("备案审批", "filing-queue", "all"),
]
