NAVIGATION = [
    ("机构与人员", "organisation-list", "all"),
]
