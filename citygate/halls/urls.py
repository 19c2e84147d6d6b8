from django.urls import URLPattern, URLResolver, path

from citygate.halls import views

app_name = "halls"

urlpatterns: list[URLPattern | URLResolver] = [
    path("halls/", views.hall_list_page, name="list"),
    path("halls/<int:hall_id>/", views.hall_detail_page, name="detail"),
    path("appointments/", views.appointments_page, name="appointments"),
    path("appointments/book/", views.book_page, name="book"),
    path("appointments/<uuid:appointment_id>/cancel/", views.cancel_page, name="cancel"),
    path(
        "appointments/<uuid:appointment_id>/reschedule/",
        views.reschedule_page,
        name="reschedule",
    ),
    path("appointments/<uuid:appointment_id>/check-in/", views.check_in_view, name="check_in"),
    path("staff/halls/", views.staff_halls_page, name="staff_halls"),
    path("staff/halls/<int:hall_id>/day/", views.staff_day_page, name="staff_day"),
    path(
        "staff/halls/<int:hall_id>/day/<uuid:appointment_id>/arrived/",
        views.staff_arrived_view,
        name="staff_arrived",
    ),
    path(
        "staff/halls/<int:hall_id>/day/<uuid:appointment_id>/done/",
        views.staff_done_view,
        name="staff_done",
    ),
]
