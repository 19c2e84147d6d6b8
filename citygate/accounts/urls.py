from django.urls import path

from citygate.accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.account_page, name="account"),
    path("login/", views.login_page, name="login"),
    path("logout/", views.logout_page, name="logout"),
    path("real-name/", views.real_name_page, name="real_name"),
    path("enterprises/", views.enterprises_page, name="enterprises"),
    path("enterprises/<uuid:enterprise_id>/", views.enterprise_page, name="enterprise"),
    path(
        "enterprises/<uuid:enterprise_id>/agents/<uuid:agent_id>/revoke/",
        views.agent_revoke,
        name="agent_revoke",
    ),
    path("staff/login/", views.staff_login_page, name="staff_login"),
    path("staff/login/verify/", views.staff_verify_page, name="staff_verify"),
]
