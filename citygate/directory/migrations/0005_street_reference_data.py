"""Loads the city's streets and towns (citygate.directory.streets, the 2023 edition).

Upserts by code, so running it on a database that already holds some of them is safe.
"""

from typing import Any

from django.db import migrations


def load_streets(apps: Any, schema_editor: Any) -> None:
    from citygate.directory.streets import EDITION, SOURCE, STREETS, kind_of

    District = apps.get_model("directory", "District")
    Street = apps.get_model("directory", "Street")
    districts = {d.code: d for d in District.objects.all()}
    for row in STREETS:
        Street.objects.update_or_create(
            code=row.code,
            defaults={
                "district": districts[row.code[:6]],
                "name_zh": row.name_zh,
                "name_en": row.name_en,
                "kind": kind_of(row.code),
                "code_source": SOURCE,
                "listed_in": EDITION,
                "retired_in": None,
            },
        )


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0004_street"),
    ]

    operations = [
        migrations.RunPython(load_streets, migrations.RunPython.noop),
    ]
