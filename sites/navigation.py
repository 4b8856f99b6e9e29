NAVIGATION = [
    ("网站与栏目", "site-list", "all"),
]
