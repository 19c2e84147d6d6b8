"""The site's URLs plus /bench/hello, the smallest Django view, as the throughput baseline."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"hello", content_type="text/plain")


urlpatterns = [
    path("bench/hello", hello),
    path("", include("citygate.urls")),
]
