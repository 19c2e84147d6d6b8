from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "citygate.privacy"
    label = "privacy"
    verbose_name = "Personal-data protection"
