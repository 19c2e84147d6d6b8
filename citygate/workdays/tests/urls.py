"""The site's URLs with the calendar page at staff/calendar/, where the site mounts it.

Used by the page tests, so they run whether or not the site's urls.py includes it yet.
"""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path

from citygate import urls as site

_mounted = any(getattr(entry, "app_name", None) == "workdays" for entry in site.urlpatterns)

urlpatterns: list[URLPattern | URLResolver] = [
    entry for entry in site.urlpatterns if isinstance(entry, URLPattern | URLResolver)
]
if not _mounted:
    urlpatterns.insert(0, path("staff/calendar/", include("citygate.workdays.urls")))

handler400 = site.handler400
handler403 = site.handler403
handler404 = site.handler404
handler500 = site.handler500
