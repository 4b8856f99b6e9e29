from django.urls import path

from . import views

# A post's own page, edit, submit and withdraw are review's (review/urls.py): they drive or show its review.
urlpatterns = [
    path("posts/", views.post_list, name="post-list"),
    path("posts/new/", views.post_create, name="post-create"),
    path("posts/<int:pk>/delete/", views.post_delete, name="post-delete"),
    path("posts/<int:pk>/images/", views.post_image_upload, name="post-image-upload"),
    path("word-lists/", views.word_lists, name="word-lists"),
]
