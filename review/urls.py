from django.urls import path

from . import views

urlpatterns = [
    path("review/", views.queue, name="review-queue"),
    path("review/bulk-approve/", views.queue_bulk_approve, name="review-bulk-approve"),
    path("review/tasks/<int:pk>/", views.task_page, name="review-task"),
    path("review/tasks/<int:pk>/decide/", views.task_decide, name="review-task-decide"),
    path("review/policies/", views.policies, name="review-policies"),
    # The post page shows the post's review; editing, submitting and withdrawing are review transitions.
    path("posts/<int:pk>/", views.post_detail, name="post-detail"),
    path("posts/<int:pk>/edit/", views.post_edit, name="post-edit"),
    path("posts/<int:pk>/submit/", views.post_submit, name="post-submit"),
    path("posts/<int:pk>/withdraw/", views.post_withdraw, name="post-withdraw"),
    path("register/", views.register_page, name="register"),
]
