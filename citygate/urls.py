from django.urls import include, path

from citygate.accounts.views import dev_outbox
from citygate.api import api
from citygate.core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("", include("citygate.shell.urls")),
    path("", include("citygate.catalog.urls")),
    path("", include("citygate.halls.urls")),
    path("", include("citygate.applications.urls")),
    path("", include("citygate.inbox.urls")),
    path("", include("citygate.feed.urls")),
    path("", include("citygate.news.urls")),
    path("staff/catalog/", include("citygate.catalog.staff_urls")),
    path("staff/calendar/", include("citygate.workdays.urls")),
    path("staff/campaigns/", include("citygate.campaigns.urls")),
    path("staff/news/", include("citygate.news.staff_urls")),
    path("account/", include("citygate.accounts.urls")),
    path("privacy/", include("citygate.privacy.urls")),
    # The development SMS outbox answers 404 unless DEBUG is on.
    path("dev/outbox.json", dev_outbox, name="dev-outbox"),
]

handler400 = "citygate.core.views.bad_request"
handler403 = "citygate.core.views.permission_denied"
handler404 = "citygate.core.views.page_not_found"
handler500 = "citygate.core.views.server_error"
