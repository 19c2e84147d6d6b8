from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "citygate.core"
    label = "core"
    verbose_name = "CityGate core"

    def ready(self) -> None:
        from citygate.core import checks  # noqa: F401  (registers the system checks)
