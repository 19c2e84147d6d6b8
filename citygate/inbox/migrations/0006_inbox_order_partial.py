"""The inbox's order index only over messages not archived, so that a page is read in order."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("inbox", "0005_message_priority"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="message",
            name="message_inbox_order_idx",
        ),
        migrations.AddIndex(
            model_name="message",
            index=models.Index(
                condition=models.Q(("archived_at__isnull", True)),
                fields=["recipient", "priority", "-created_at", "-id"],
                name="message_inbox_order_idx",
            ),
        ),
    ]
