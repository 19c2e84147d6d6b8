from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "citygate.inbox"
    label = "inbox"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from citygate.inbox import notices  # noqa: F401 - registers the templates
