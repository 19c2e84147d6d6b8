from django.urls import path

from citygate.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_page, name="login"),
]
