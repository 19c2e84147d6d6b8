from django.urls import URLPattern, URLResolver

app_name = "catalog_staff"

urlpatterns: list[URLPattern | URLResolver] = []
