from typing import Any

from django.apps import AppConfig
from django.apps import apps as global_apps
from django.db.models.signals import post_migrate


def _ensure_first_agreements(
    sender: AppConfig, using: str = "default", apps: Any = global_apps, **kwargs: Any
) -> None:
    # After `migrate`, `apps` is the migration state; after `flush`, the live registry.
    try:
        agreement = apps.get_model("privacy", "Agreement")
    except LookupError:
        return
    from citygate.privacy.agreements_v1 import seed_first_versions

    seed_first_versions(agreement, using=using)


class PrivacyConfig(AppConfig):
    name = "citygate.privacy"
    label = "privacy"
    verbose_name = "Personal-data protection"

    def ready(self) -> None:
        # Reference data, like Django's content types: put back after `flush` as well.
        post_migrate.connect(_ensure_first_agreements, sender=self)
