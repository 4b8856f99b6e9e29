from django.urls import path

from .api import PostViewSet, RegisterView, WordListViewSet


def register(router):
    router.register("posts", PostViewSet, basename="api-post")
    router.register("word-lists", WordListViewSet, basename="api-word-list")


urlpatterns = [path("register/", RegisterView.as_view(), name="api-register")]
