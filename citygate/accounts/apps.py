from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "citygate.accounts"
    label = "accounts"
    verbose_name = "Accounts and identity"
