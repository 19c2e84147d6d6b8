from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "citygate.catalog"
    label = "catalog"
    verbose_name = "Service catalogue"
