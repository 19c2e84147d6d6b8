from django.urls import URLPattern, URLResolver, path

from citygate.applications import staff_views, views

app_name = "applications"

urlpatterns: list[URLPattern | URLResolver] = [
    path("services/item/<str:code>/apply/", views.apply_page, name="apply"),
    path("applications/", views.list_page, name="list"),
    path("applications/<uuid:application_id>/", views.detail_page, name="detail"),
    path("applications/<uuid:application_id>/receipt/", views.receipt_page, name="receipt"),
    path("applications/materials/<uuid:material_id>/", views.material_view, name="material"),
    path("ratings/", views.ratings_page, name="ratings"),
    path("account/family/", views.authorisations_page, name="authorisations"),
    path("performance/", views.performance_page, name="performance"),
    path("staff/applications/", staff_views.queue_page, name="staff_queue"),
    path(
        "staff/applications/<uuid:application_id>/",
        staff_views.detail_page,
        name="staff_detail",
    ),
    path("staff/follow-ups/", staff_views.follow_ups_page, name="staff_follow_ups"),
    path("staff/assisted/", staff_views.assisted_page, name="staff_assisted"),
]
