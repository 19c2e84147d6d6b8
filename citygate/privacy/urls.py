from django.urls import path

from citygate.privacy import views

app_name = "privacy"

urlpatterns = [
    path("agreements/<slug:kind>/", views.agreement_page, name="agreement"),
    path("consent/", views.consent_page, name="consent"),
    path("consents/", views.consents_page, name="consents"),
    path("consents/<slug:kind>/withdraw/", views.consent_withdraw_page, name="consent_withdraw"),
    path("access-log/", views.access_log_page, name="access_log"),
    path("staff/people/", views.staff_people_page, name="staff_people"),
    path("staff/people/<uuid:user_id>/reveal/", views.staff_reveal_page, name="staff_reveal"),
    path("staff/audit/", views.staff_audit_page, name="staff_audit"),
]
