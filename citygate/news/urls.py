"""The public news pages, mounted at the site root."""

from django.urls import URLPattern, URLResolver, path

from citygate.news import views

app_name = "news"

urlpatterns: list[URLPattern | URLResolver] = [
    path("news/", views.news_index, name="index"),
    path("news/c/<slug:slug>/", views.channel_page, name="channel"),
    path("news/media/<str:name>", views.media, name="media"),
    path("news/<uuid:story_id>/", views.story_page, name="story"),
]
