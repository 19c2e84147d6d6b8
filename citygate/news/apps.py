from django.apps import AppConfig


class NewsConfig(AppConfig):
    name = "citygate.news"
    label = "news"
    verbose_name = "News"

    def ready(self) -> None:
        from citygate.news import notices  # noqa: F401 - registers the templates
