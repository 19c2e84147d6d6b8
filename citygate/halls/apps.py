from django.apps import AppConfig


class HallsConfig(AppConfig):
    name = "citygate.halls"
    label = "halls"
    verbose_name = "Service halls and appointments"

    def ready(self) -> None:
        from citygate.halls import notices  # noqa: F401 - registers the message templates
