from django.apps import AppConfig


class ShellConfig(AppConfig):
    name = "citygate.shell"
    label = "shell"
    verbose_name = "App shell"
