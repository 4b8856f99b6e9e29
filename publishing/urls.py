from django.urls import path

from . import views

urlpatterns = [
    path("posts/", views.post_list, name="post-list"),
    path("posts/new/", views.post_create, name="post-create"),
    path("posts/<int:pk>/", views.post_detail, name="post-detail"),
    path("posts/<int:pk>/edit/", views.post_edit, name="post-edit"),
    path("posts/<int:pk>/submit/", views.post_submit, name="post-submit"),
    path("posts/<int:pk>/withdraw/", views.post_withdraw, name="post-withdraw"),
    path("register/", views.register_page, name="register"),
    path("word-lists/", views.word_lists, name="word-lists"),
]
