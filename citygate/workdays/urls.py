from django.urls import URLPattern, URLResolver, path

from citygate.workdays import views

app_name = "workdays"

# Mounted at staff/calendar/.
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.calendar_page, name="calendar"),
]
