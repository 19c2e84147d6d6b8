from django.apps import AppConfig


class HallsConfig(AppConfig):
    name = "citygate.halls"
    label = "halls"
    verbose_name = "Service halls and appointments"
