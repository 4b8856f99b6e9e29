NAVIGATION = [
    ("审校队列", "review-queue", "all"),
]
