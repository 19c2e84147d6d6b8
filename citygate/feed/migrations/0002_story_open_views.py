"""A story's reading keeps the views it counted, not only the last one."""

from typing import Any

from django.db import migrations, models


def _last_view_kept(apps: Any, schema_editor: Any) -> None:
    StoryOpen = apps.get_model("feed", "StoryOpen")
    for opened in StoryOpen.objects.exclude(last_view="").iterator():
        opened.views = {opened.last_view: opened.last_view_seconds}
        opened.save(update_fields=["views"])


class Migration(migrations.Migration):
    dependencies = [
        ("feed", "0001_feed"),
    ]

    operations = [
        migrations.AddField(
            model_name="storyopen",
            name="views",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunPython(_last_view_kept, migrations.RunPython.noop),
        migrations.RemoveField(model_name="storyopen", name="last_view"),
        migrations.RemoveField(model_name="storyopen", name="last_view_seconds"),
    ]
