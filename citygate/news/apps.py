from django.apps import AppConfig


class NewsConfig(AppConfig):
    name = "citygate.news"
    label = "news"
    verbose_name = "News"
