from django.urls import path

from . import views

urlpatterns = [
    path("review/", views.queue, name="review-queue"),
    path("review/tasks/<int:pk>/", views.task_page, name="review-task"),
    path("review/tasks/<int:pk>/decide/", views.task_decide, name="review-task-decide"),
    path("review/policies/", views.policies, name="review-policies"),
]

