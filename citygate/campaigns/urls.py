from django.urls import path

from citygate.campaigns import staff_views

app_name = "campaigns_staff"

urlpatterns = [
    path("", staff_views.campaign_list_page, name="list"),
    path("new/", staff_views.campaign_create_page, name="create"),
    path("<uuid:campaign_id>/", staff_views.campaign_detail_page, name="detail"),
    path("<uuid:campaign_id>/edit/", staff_views.campaign_edit_page, name="edit"),
    path("<uuid:campaign_id>/<slug:action>/", staff_views.campaign_action_view, name="action"),
]
