from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "citygate.inbox"
    label = "inbox"
    verbose_name = "Notifications"
