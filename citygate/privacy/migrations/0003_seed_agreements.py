"""Seed version 1 of the terms, the privacy policy and the separate real-name consent."""

from typing import Any

from django.db import migrations

from citygate.privacy.agreements_v1 import seed_first_versions


def seed(apps: Any, schema_editor: Any) -> None:
    seed_first_versions(
        apps.get_model("privacy", "Agreement"), using=schema_editor.connection.alias
    )


def unseed(apps: Any, schema_editor: Any) -> None:
    Agreement = apps.get_model("privacy", "Agreement")
    Agreement.objects.filter(version=1, consents__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("privacy", "0002_access_record_append_only")]

    operations = [migrations.RunPython(seed, unseed)]
