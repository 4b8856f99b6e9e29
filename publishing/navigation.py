NAVIGATION = [
    ("稿件", "post-list", "all"),
    ("发布台账", "register", "all"),
    ("词表", "word-lists", lambda user: user.is_superuser or user.memberships.filter(role="supervisor").exists()),
]
