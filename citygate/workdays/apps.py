from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    name = "citygate.workdays"
    label = "workdays"
    verbose_name = "Working-day calendar"
