from django.urls import path

from citygate.shell import staff_views, views

app_name = "shell"

urlpatterns = [
    path("", views.home, name="home"),
    path("services/", views.services_index, name="services"),
    path("services/<slug:slug>/", views.service_category, name="category"),
    path("messages/", views.messages_index, name="messages"),
    path("staff/", staff_views.staff_home, name="staff_home"),
    path("search/", views.search, name="search"),
    path("offline/", views.offline, name="offline"),
    path("styleguide/", views.styleguide, name="styleguide"),
    path("elderly/", views.elderly_switch, name="elderly"),
    # Django's set_language at its usual address (django.conf.urls.i18n), wrapped so that a
    # signed-in person's choice is saved to the account as well.
    path("i18n/setlang/", views.language_switch, name="set_language"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="service_worker"),
]
