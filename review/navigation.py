NAVIGATION = [
    ("审校队列", "review-queue", "all"),
    ("审校流程", "review-policies", lambda user: user.is_superuser or user.memberships.filter(role__in=["supervisor", "principal"]).exists()),
]
