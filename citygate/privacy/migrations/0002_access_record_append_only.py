"""Make the database itself refuse UPDATE and DELETE on access records.

The model already refuses them; the triggers stop everything else that talks to the database
(a shell, a raw query, another program). PostgreSQL's TRUNCATE is left to privileges: the
application role should not hold it in production.
"""

from typing import Any

from django.db import migrations

TABLE = "privacy_accessrecord"

SQLITE_FORWARD = [
    f"""
    CREATE TRIGGER {TABLE}_no_update BEFORE UPDATE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, 'access records are append-only'); END
    """,
    f"""
    CREATE TRIGGER {TABLE}_no_delete BEFORE DELETE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, 'access records are append-only'); END
    """,
]
SQLITE_BACKWARD = [
    f"DROP TRIGGER IF EXISTS {TABLE}_no_update",
    f"DROP TRIGGER IF EXISTS {TABLE}_no_delete",
]

# EXECUTE PROCEDURE rather than EXECUTE FUNCTION: the older spelling also works on openGauss,
# whose kernel predates PostgreSQL 11.
POSTGRESQL_FORWARD = [
    f"""
    CREATE OR REPLACE FUNCTION {TABLE}_refuse() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'access records are append-only' USING ERRCODE = 'insufficient_privilege';
    END
    $$ LANGUAGE plpgsql
    """,
    f"""
    CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE PROCEDURE {TABLE}_refuse()
    """,
]
POSTGRESQL_BACKWARD = [
    f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}",
    f"DROP FUNCTION IF EXISTS {TABLE}_refuse()",
]

STATEMENTS = {
    "sqlite": (SQLITE_FORWARD, SQLITE_BACKWARD),
    "postgresql": (POSTGRESQL_FORWARD, POSTGRESQL_BACKWARD),
}


def _run(schema_editor: Any, forward: bool) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in STATEMENTS:
        raise RuntimeError(f"no append-only triggers written for the {vendor} database")
    for statement in STATEMENTS[vendor][0 if forward else 1]:
        schema_editor.execute(statement)


def add_triggers(apps: Any, schema_editor: Any) -> None:
    _run(schema_editor, forward=True)


def drop_triggers(apps: Any, schema_editor: Any) -> None:
    _run(schema_editor, forward=False)


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_initial")]

    operations = [migrations.RunPython(add_triggers, drop_triggers)]
