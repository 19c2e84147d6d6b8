"""Loads the city's departments and districts (citygate.directory.reference).

Upserts by code, so running it on a database that already holds some of them is safe.
"""

from typing import Any

from django.db import migrations


def load_reference_data(apps: Any, schema_editor: Any) -> None:
    from citygate.directory.reference import DEPARTMENTS, DISTRICTS

    District = apps.get_model("directory", "District")
    Department = apps.get_model("directory", "Department")
    for order, row in enumerate(DISTRICTS, start=1):
        District.objects.update_or_create(
            code=row.code,
            defaults={
                "name_zh": row.name_zh,
                "name_en": row.name_en,
                "kind": row.kind,
                "code_source": row.code_source,
                "order": order,
            },
        )
    for order, dept in enumerate(DEPARTMENTS, start=1):
        Department.objects.update_or_create(
            code=dept.code,
            defaults={
                "name_zh": dept.name_zh,
                "name_en": dept.name_en,
                "kind": dept.kind,
                "order": order,
            },
        )


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0002_department_kind_organisation"),
    ]

    operations = [
        migrations.RunPython(load_reference_data, migrations.RunPython.noop),
    ]
