from django.urls import URLPattern, URLResolver

app_name = "halls"

urlpatterns: list[URLPattern | URLResolver] = []
