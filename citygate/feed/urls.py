from django.urls import URLPattern, URLResolver, path

from citygate.feed import views

app_name = "feed"

# Mounted at the site root.
urlpatterns: list[URLPattern | URLResolver] = [
    path("news/for-you/", views.feed_page, name="feed"),
    path("me/recommendation/", views.recommendation_page, name="recommendation"),
]
