from django.urls import path

from citygate.shell import views

app_name = "shell"

urlpatterns = [
    path("", views.home, name="home"),
]
