from django.apps import AppConfig


class FeedConfig(AppConfig):
    name = "citygate.feed"
    label = "feed"
    verbose_name = "Personal news feed"
