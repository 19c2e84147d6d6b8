from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "citygate.applications"
    label = "applications"
    verbose_name = "Online applications"

    def ready(self) -> None:
        from citygate.applications import checks, notices  # noqa: F401 - registers them
