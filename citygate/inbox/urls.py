from django.urls import URLPattern, URLResolver, path

from citygate.inbox import views

app_name = "inbox"

# Mounted at the site root, beside the shell's messages page.
urlpatterns: list[URLPattern | URLResolver] = [
    path("messages/preferences/", views.preferences_page, name="preferences"),
    path(
        "messages/preferences/devices/<uuid:subscription_id>/remove/",
        views.device_remove,
        name="device_remove",
    ),
    # The short link of a text message (channels.short_link).
    path("m/<slug:code>/", views.short_link, name="short_link"),
    path("messages/<uuid:message_id>/read/", views.message_read, name="read"),
    path("messages/<uuid:message_id>/archive/", views.message_archive, name="archive"),
]
